"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import type { TopicWithCount } from "@/lib/topics";
import { Button, Field, LiveStatus, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { createTopicAction, deleteTopicAction, renameTopicAction } from "../actions";

type Topic = Pick<TopicWithCount, "id" | "name" | "storyCount">;

/** Topics with inline add, rename and delete. */
export function TopicList({ topics }: { topics: Topic[] }) {
  const t = useTranslations("topics");
  // Add, rename and delete share one outcome line.
  const { result, pending, run: call } = useAction((send: () => Promise<ActionResult<unknown>>) => send());
  const [notice, setNotice] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const feedback = useActionFeedback(result);
  const newId = useId();
  const renameId = useId();
  const run = (send: () => Promise<ActionResult<unknown>>, done: string) =>
    call(send, (res) => {
      if (!res.ok) return setNotice(null);
      setNotice(done);
      setName("");
      setEditing(null);
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
        <Field label={t("newTopic")} htmlFor={newId} className="flex-1">
          <input id={newId} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} className={inputClass} />
        </Field>
        <Button type="submit" disabled={pending || !name.trim()}>
          {t("add")}
        </Button>
      </form>
      <LiveStatus success={notice} error={feedback.message && [feedback.message, ...(feedback.field("name") ?? [])].join(" ")} />
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
                <Field label={t("renameLabel", { name: topic.name })} htmlFor={renameId} className="flex-1">
                  <input id={renameId} value={editing.name} onChange={(e) => setEditing({ id: topic.id, name: e.target.value })} maxLength={60} className={inputClass} />
                </Field>
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
