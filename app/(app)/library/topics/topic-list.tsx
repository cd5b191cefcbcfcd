"use client";

import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { Button, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { createTopicAction, deleteTopicAction, renameTopicAction } from "../actions";

type Topic = { id: string; name: string; storyCount: number };
type Result = Awaited<ReturnType<typeof createTopicAction>>;

/** Topics with inline add, rename and delete. */
export function TopicList({ topics }: { topics: Topic[] }) {
  const t = useTranslations("topics");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<Result | { ok: true; data: unknown } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const feedback = useActionFeedback(result);
  const newId = useId();
  const renameId = useId();
  const run = (fn: () => Promise<Result | { ok: true; data: unknown } | { ok: false; error: string; fieldErrors?: Record<string, string[]> }>, done: string) =>
    start(async () => {
      const res = await fn();
      setResult(res as Result);
      if (res.ok) {
        setNotice(done);
        setName("");
        setEditing(null);
      } else setNotice(null);
    });
  return (
    <div className="space-y-4">
      <form
        className="flex flex-col gap-2 sm:flex-row sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => createTopicAction({ name }), t("created"));
        }}
      >
        <div className="flex-1">
          <label htmlFor={newId} className="block text-sm font-medium text-slate-900">
            {t("newTopic")}
          </label>
          <input id={newId} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} className={inputClass} />
        </div>
        <Button type="submit" disabled={pending || !name.trim()}>
          {t("add")}
        </Button>
      </form>
      <div aria-live="polite" className="text-sm">
        {feedback.message ? <p className="font-medium text-red-800">{[feedback.message, ...(feedback.field("name") ?? [])].join(" ")}</p> : notice ? <p className="text-green-900">{notice}</p> : null}
      </div>
      {topics.length === 0 ? <p className="text-slate-700">{t("empty")}</p> : null}
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {topics.map((topic) => (
          <li key={topic.id} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
            {editing?.id === topic.id ? (
              <form
                className="flex flex-1 flex-col gap-2 sm:flex-row sm:items-end"
                onSubmit={(e) => {
                  e.preventDefault();
                  run(() => renameTopicAction({ topicId: topic.id, name: editing.name }), t("renamed"));
                }}
              >
                <div className="flex-1">
                  <label htmlFor={renameId} className="block text-sm font-medium text-slate-900">
                    {t("renameLabel", { name: topic.name })}
                  </label>
                  <input id={renameId} value={editing.name} onChange={(e) => setEditing({ id: topic.id, name: e.target.value })} maxLength={60} className={inputClass} />
                </div>
                <Button type="submit" disabled={pending}>
                  {t("save")}
                </Button>
                <Button type="button" variant="secondary" onClick={() => setEditing(null)}>
                  {t("cancel")}
                </Button>
              </form>
            ) : (
              <>
                <div>
                  <span className="font-medium text-slate-900">{topic.name}</span>
                  <span className="ml-2 text-sm text-slate-700">{t("storyCount", { count: topic.storyCount })}</span>
                </div>
                <div className="flex gap-2">
                  <Button variant="secondary" onClick={() => setEditing({ id: topic.id, name: topic.name })} aria-label={t("renameLabel", { name: topic.name })}>
                    {t("rename")}
                  </Button>
                  <Button variant="ghost" disabled={pending} onClick={() => run(() => deleteTopicAction({ topicId: topic.id }), t("deleted", { name: topic.name }))} aria-label={t("deleteLabel", { name: topic.name })}>
                    {t("delete")}
                  </Button>
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
