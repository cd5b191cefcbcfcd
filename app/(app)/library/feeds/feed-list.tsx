"use client";

import { useTranslations } from "next-intl";
import { useId, useTransition } from "react";
import type { FeedWithCounts } from "@/lib/import";
import { FormDialog } from "../../../_components/form-dialog";
import { ConfirmDialog } from "../../../_components/modal";
import { Badge, Button, Field, LiveStatus, ManagedList, inputClass } from "../../../_components/ui";
import { useNotice, type Notify, type Report } from "../../../_components/use-notice";
import { addFeedAction, fetchFeedNowAction, removeFeedAction, setFeedActiveAction } from "./actions";

export type FeedRow = Pick<FeedWithCounts, "id" | "url" | "active" | "lastError" | "importedCount"> & {
  /** The feed's name, or its host when it has none. */
  title: string;
  /** ISO time of the last poll, for <time dateTime>. */
  lastPolledAt: string | null;
  /** "5 minutes ago", formatted on the server in the reader's language. */
  lastPolledLabel: string | null;
};

function AddFeedDialog({ notify }: { notify: Notify }) {
  const t = useTranslations("feeds");
  const ids = { url: useId(), title: useId() };
  return (
    <FormDialog
      trigger={t("add")}
      triggerVariant="primary"
      title={t("addTitle")}
      description={t("addDescription")}
      action={addFeedAction}
      onSuccess={(data) => notify(data.unreachable ? t("addedUnreachable", { name: data.title, error: data.unreachable }) : t("added", { name: data.title }))}
      submitLabel={t("create")}
      workingLabel={t("checking")}
      cancelLabel={t("cancel")}
      quietWithFieldErrors
    >
      {(field) => (
        <>
          <Field label={t("url")} htmlFor={ids.url} hint={t("urlHint")} errors={field("url")}>
            <input
              id={ids.url}
              name="url"
              type="url"
              inputMode="url"
              autoComplete="url"
              required
              placeholder="https://"
              aria-invalid={field("url")?.length ? true : undefined}
              className={inputClass}
            />
          </Field>
          <Field label={t("name")} htmlFor={ids.title} hint={t("nameHint")} errors={field("title")}>
            <input id={ids.title} name="title" maxLength={200} aria-invalid={field("title")?.length ? true : undefined} className={inputClass} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

function FeedActions({ feed, report }: { feed: FeedRow; report: Report }) {
  const t = useTranslations("feeds");
  const [pending, startTransition] = useTransition();
  const toggle = () =>
    startTransition(async () =>
      report(await setFeedActiveAction({ feedId: feed.id, active: !feed.active }), (data) => (data.active ? t("resumed", { name: feed.title }) : t("pausedNotice", { name: feed.title })), feed.id),
    );
  const fetchNow = () => startTransition(async () => report(await fetchFeedNowAction({ feedId: feed.id }), t("fetchQueued", { name: feed.title }), feed.id));
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
      <ConfirmDialog
        trigger={t("remove")}
        triggerLabel={t("removeLabel", { name: feed.title })}
        title={t("removeTitle", { name: feed.title })}
        description={t("removeBody", { count: feed.importedCount })}
        cancelLabel={t("cancel")}
        confirmLabel={t("removeConfirm")}
        onConfirm={async () => report(await removeFeedAction({ feedId: feed.id }), t("removed", { name: feed.title }))}
      />
    </div>
  );
}

/** The organisation's feeds with add, fetch now, pause/resume and remove. */
export function FeedList({ feeds }: { feeds: FeedRow[] }) {
  const t = useTranslations("feeds");
  const { notify, report, status, statusAt } = useNotice();
  return (
    <ManagedList actions={<AddFeedDialog notify={notify} />} status={status}>
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
                <LiveStatus {...statusAt(feed.id)} />
              </div>
              <FeedActions feed={feed} report={report} />
            </li>
          ))}
        </ul>
      ) : null}
    </ManagedList>
  );
}
