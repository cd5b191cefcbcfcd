"use client";

import { AlertDialog, Dialog } from "radix-ui";
import { useTranslations } from "next-intl";
import { useEffect, useId, useState, useTransition } from "react";
import { ConfirmContent, ModalContent } from "../../../_components/modal";
import { Badge, Button, Field, buttonClass, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useFormAction } from "../../../_components/use-form-action";
import { addFeedAction, fetchFeedNowAction, removeFeedAction, setFeedActiveAction } from "./actions";

export type FeedRow = {
  id: string;
  title: string;
  url: string;
  active: boolean;
  lastError: string | null;
  importedCount: number;
  /** ISO time of the last poll, for <time dateTime>. */
  lastPolledAt: string | null;
  /** "5 minutes ago", formatted on the server in the reader's language. */
  lastPolledLabel: string | null;
};
type Notify = (text: string, error?: boolean) => void;

function AddFeedDialog({ notify }: { notify: Notify }) {
  const t = useTranslations("feeds");
  const ids = { url: useId(), title: useId() };
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(addFeedAction);
  const feedback = useActionFeedback(state);
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      notify(t("added", { name: state.data.title }));
    }
    // notify and t change identity per render; the result is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  const urlErrors = feedback.field("url");
  const titleErrors = feedback.field("title");
  // A reason already shown beside its field is not repeated underneath.
  const general = urlErrors?.length || titleErrors?.length ? undefined : feedback.message;
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("primary")}>{t("add")}</Dialog.Trigger>
      <ModalContent title={t("addTitle")} description={t("addDescription")}>
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <Field label={t("url")} htmlFor={ids.url} hint={t("urlHint")} errors={urlErrors}>
              <input
                id={ids.url}
                name="url"
                type="url"
                inputMode="url"
                autoComplete="url"
                required
                placeholder="https://"
                aria-invalid={urlErrors?.length ? true : undefined}
                className={inputClass}
              />
            </Field>
            <Field label={t("name")} htmlFor={ids.title} hint={t("nameHint")} errors={titleErrors}>
              <input id={ids.title} name="title" maxLength={200} aria-invalid={titleErrors?.length ? true : undefined} className={inputClass} />
            </Field>
            {general ? (
              <p role="alert" className="text-sm text-red-800">
                {general}
              </p>
            ) : null}
            <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
              <Button type="submit" disabled={pending} aria-busy={pending || undefined}>
                {pending ? t("checking") : t("create")}
              </Button>
            </div>
          </form>
        </ModalContent>
    </Dialog.Root>
  );
}

function RemoveFeed({ feed, notify }: { feed: FeedRow; notify: Notify }) {
  const t = useTranslations("feeds");
  const te = useTranslations("errors");
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const remove = () =>
    startTransition(async () => {
      const result = await removeFeedAction({ feedId: feed.id });
      setOpen(false);
      notify(result.ok ? t("removed", { name: feed.title }) : te.has(result.error) ? te(result.error) : result.error, !result.ok);
    });
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger className={buttonClass("ghost")} aria-label={t("removeLabel", { name: feed.title })}>
        {t("remove")}
      </AlertDialog.Trigger>
      <ConfirmContent title={t("removeTitle", { name: feed.title })} description={t("removeBody", { count: feed.importedCount })}>
            <AlertDialog.Cancel className={buttonClass("secondary")}>{t("cancel")}</AlertDialog.Cancel>
            {/* Not AlertDialog.Action: it would close the dialog before the removal is done. */}
            <Button variant="danger" disabled={pending} onClick={remove}>
              {t("removeConfirm")}
            </Button>
          </ConfirmContent>
    </AlertDialog.Root>
  );
}

function FeedActions({ feed, notify }: { feed: FeedRow; notify: Notify }) {
  const t = useTranslations("feeds");
  const te = useTranslations("errors");
  const [pending, startTransition] = useTransition();
  const reason = (error: string) => (te.has(error) ? te(error) : error);
  const toggle = () =>
    startTransition(async () => {
      const result = await setFeedActiveAction({ feedId: feed.id, active: !feed.active });
      if (!result.ok) notify(reason(result.error), true);
      else notify(result.data.active ? t("resumed", { name: feed.title }) : t("pausedNotice", { name: feed.title }));
    });
  const fetchNow = () =>
    startTransition(async () => {
      const result = await fetchFeedNowAction({ feedId: feed.id });
      notify(result.ok ? t("fetchQueued", { name: feed.title }) : reason(result.error), !result.ok);
    });
  return (
    <div className="flex flex-wrap gap-2 lg:justify-end">
      <Button variant="secondary" disabled={pending} onClick={fetchNow} aria-label={t("fetchNowLabel", { name: feed.title })}>
        {t("fetchNow")}
      </Button>
      <Button
        variant="secondary"
        disabled={pending}
        onClick={toggle}
        aria-label={feed.active ? t("pauseLabel", { name: feed.title }) : t("resumeLabel", { name: feed.title })}
      >
        {feed.active ? t("pause") : t("resume")}
      </Button>
      <RemoveFeed feed={feed} notify={notify} />
    </div>
  );
}

/** The organisation's feeds with add, fetch now, pause/resume and remove. */
export function FeedList({ feeds }: { feeds: FeedRow[] }) {
  const t = useTranslations("feeds");
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const notify: Notify = (text, error) => setNotice({ text, error });
  return (
    <div className="space-y-4">
      <div className="flex justify-end">
        <AddFeedDialog notify={notify} />
      </div>
      <div aria-live="polite">
        {notice ? <p className={notice.error ? "rounded-md bg-red-50 p-3 text-sm text-red-900" : "rounded-md bg-green-50 p-3 text-sm text-green-900"}>{notice.text}</p> : null}
      </div>
      {feeds.length === 0 ? <p className="text-slate-700">{t("empty")}</p> : null}
      {feeds.length > 0 ? (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label={t("list")}>
          {feeds.map((feed) => (
            <li key={feed.id} className="flex flex-col gap-3 px-4 py-3 lg:flex-row lg:items-center lg:justify-between" data-testid={`feed-${feed.id}`}>
              <div className="min-w-0 space-y-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium text-slate-900">{feed.title}</span>
                  <Badge tone={feed.active ? "green" : "slate"}>{feed.active ? t("active") : t("paused")}</Badge>
                </div>
                <a href={feed.url} target="_blank" rel="noopener noreferrer" className="block break-all text-sm text-brand-700 underline">
                  {feed.url}
                </a>
                <p className="text-sm text-slate-700">
                  {feed.lastPolledAt && feed.lastPolledLabel ? (
                    t.rich("lastPolled", { label: feed.lastPolledLabel, time: (chunks) => <time dateTime={feed.lastPolledAt!}>{chunks}</time> })
                  ) : (
                    t("neverPolled")
                  )}
                  <span aria-hidden> · </span>
                  <span className="sr-only">, </span>
                  {t("imported", { count: feed.importedCount })}
                </p>
                {feed.lastError ? (
                  <p className="break-words text-sm text-red-800">
                    <span className="font-medium">{t("lastError")}</span> <span lang="en">{feed.lastError}</span>
                  </p>
                ) : null}
              </div>
              <FeedActions feed={feed} notify={notify} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
