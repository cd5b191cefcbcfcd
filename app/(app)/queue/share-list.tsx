"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Dialog } from "radix-ui";
import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import type { MyShare } from "@/lib/shares";
import { ConfirmDialog, ModalContent, ModalFooter } from "../../_components/modal";
import { Badge, Button, Card, Field, FormAlert, LiveStatus, buttonClass, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { useNotice } from "../../_components/use-notice";
import { answerIntentAction, cancelShareAction, editShareAction, markPostedAction, retryShareAction } from "./actions";

type Row = Pick<MyShare, "id" | "storyTitle" | "storyLanguage" | "network" | "mode" | "status" | "text" | "assisted" | "externalUrl" | "errorCode" | "lastError"> & {
  account: string | null;
  whenLabel: string;
  /** Wall-clock "YYYY-MM-DDTHH:mm" in the person's zone, for the date-time picker. */
  whenLocal: string;
  /** The network's share window with the text, where a budget moved the share there. */
  shareWindowUrl: string | null;
};

const tones = { scheduled: "blue", publishing: "amber", published: "green", failed: "red", needs_attention: "amber", cancelled: "slate" } as const;

function EditDialog({ row, timeZone, onDone }: { row: Row; timeZone: string; onDone: () => void }) {
  const t = useTranslations("queue");
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(row.text);
  const [at, setAt] = useState(row.whenLocal);
  const { result, pending, submit } = useAction(editShareAction);
  const feedback = useActionFeedback(result);
  const ids = { text: useId(), at: useId() };
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("secondary")} aria-label={t("editLabel", { title: row.storyTitle })}>
        {t("edit")}
      </Dialog.Trigger>
      <ModalContent title={t("editTitle")}>
        <form
          className="space-y-4"
          noValidate
          onSubmit={submit({ shareId: row.id, text, scheduledAt: at }, (res) => {
            if (!res.ok) return;
            setOpen(false);
            onDone();
          })}
        >
          <Field label={t("text")} htmlFor={ids.text} errors={feedback.field("text")}>
            <textarea id={ids.text} value={text} onChange={(e) => setText(e.target.value)} rows={6} className={inputClass} />
          </Field>
          <Field label={t("at", { zone: timeZone })} htmlFor={ids.at} errors={feedback.field("scheduledAt")}>
            <input id={ids.at} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} className={inputClass} />
          </Field>
          <FormAlert message={feedback.field("text") || feedback.field("scheduledAt") ? undefined : feedback.message} />
          <ModalFooter cancelLabel={t("close")} submitLabel={t("save")} pending={pending} />
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

/** The shares of one tab with what can be done to each. */
export function ShareList({ shares, timeZone }: { shares: Row[]; timeZone: string }) {
  const t = useTranslations("queue");
  const tn = useTranslations("networks");
  const ts = useTranslations("shareStatus");
  const tr = useTranslations("shareErrors");
  const tw = useTranslations("writing");
  const router = useRouter();
  const [pending, start] = useTransition();
  const { notify, report, status } = useNotice();
  const act = async (fn: () => Promise<ActionResult<unknown>>, done: string) => {
    report(await fn(), done);
    router.refresh();
  };
  const run = (fn: () => Promise<ActionResult<unknown>>, done: string) => start(() => act(fn, done));
  return (
    <div className="space-y-3">
      <LiveStatus {...status} />
      <ul className="grid gap-3">
        {shares.map((row) => {
          const awaitingAnswer = row.mode === "intent" && row.status === "scheduled";
          return (
            <li key={row.id} data-testid={`share-${row.id}`}>
              <Card className="space-y-2">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={tones[row.status]}>{awaitingAnswer ? t("awaitingAnswer") : ts(row.status)}</Badge>
                  <span className="text-sm font-medium text-slate-900">
                    {tn(row.network)}
                    {row.account ? ` · ${row.account}` : row.mode === "intent" ? ` · ${t("viaShareLink")}` : ""}
                  </span>
                  <span className="text-sm text-slate-700">{row.whenLabel}</span>
                  {row.assisted ? <Badge tone="slate">{tw("assisted")}</Badge> : null}
                </div>
                <h2 className="font-semibold text-slate-900" lang={row.storyLanguage}>
                  {row.storyTitle}
                </h2>
                <p className="whitespace-pre-wrap break-words text-sm text-slate-800">{row.text}</p>
                {row.status === "failed" || row.status === "needs_attention" ? (
                  <div className="rounded-md bg-red-50 p-3 text-sm text-red-900">
                    <p className="font-medium">{row.errorCode && tr.has(row.errorCode) ? tr(row.errorCode) : tr("unknown")}</p>
                    {row.lastError ? (
                      <details className="mt-1">
                        <summary className="cursor-pointer">{t("details")}</summary>
                        <p className="mt-1 break-words font-mono text-xs">{row.lastError}</p>
                      </details>
                    ) : null}
                  </div>
                ) : null}
                <div className="flex flex-wrap gap-2">
                  {row.status === "published" && row.externalUrl ? (
                    <a href={row.externalUrl} target="_blank" rel="noreferrer noopener" className="text-sm font-medium text-brand-700 underline">
                      {t("viewPost", { network: tn(row.network) })}
                    </a>
                  ) : null}
                  {row.status === "scheduled" && row.mode === "api" ? (
                    <>
                      <EditDialog row={row} timeZone={timeZone} onDone={() => notify(t("saved"))} />
                      <ConfirmDialog
                        trigger={t("cancel")}
                        triggerLabel={t("cancelLabel", { title: row.storyTitle })}
                        title={t("cancelTitle")}
                        description={t("cancelBody")}
                        cancelLabel={t("keep")}
                        confirmLabel={t("cancelConfirm")}
                        onConfirm={() => act(() => cancelShareAction({ shareId: row.id }), t("cancelled"))}
                      />
                    </>
                  ) : null}
                  {awaitingAnswer && row.shareWindowUrl ? (
                    <div className="w-full space-y-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900" data-testid="budget-share-window">
                      <p>{row.errorCode && tr.has(row.errorCode) ? tr(row.errorCode) : null}</p>
                      <a href={row.shareWindowUrl} target="_blank" rel="noreferrer noopener" className="inline-block font-medium text-brand-700 underline">
                        {t("openShareWindow", { network: tn(row.network) })}
                      </a>
                    </div>
                  ) : null}
                  {awaitingAnswer ? (
                    <>
                      <span className="self-center text-sm text-slate-800">{t("didYouPost")}</span>
                      <Button disabled={pending} onClick={() => run(() => answerIntentAction({ shareId: row.id, posted: true }), t("markedPosted"))}>
                        {t("yes")}
                      </Button>
                      <Button variant="secondary" disabled={pending} onClick={() => run(() => answerIntentAction({ shareId: row.id, posted: false }), t("markedNotPosted"))}>
                        {t("no")}
                      </Button>
                    </>
                  ) : null}
                  {row.status === "needs_attention" ? (
                    <>
                      <span className="self-center text-sm text-slate-800">{t("checkNetwork")}</span>
                      <Button disabled={pending} onClick={() => run(() => markPostedAction({ shareId: row.id }), t("markedPosted"))}>
                        {t("itIsThere")}
                      </Button>
                      <Button variant="secondary" disabled={pending} onClick={() => run(() => retryShareAction({ shareId: row.id }), t("retrying"))}>
                        {t("postAgain")}
                      </Button>
                    </>
                  ) : null}
                  {row.status === "failed" && row.mode === "api" ? (
                    <Button variant="secondary" disabled={pending} onClick={() => run(() => retryShareAction({ shareId: row.id }), t("retrying"))} aria-label={t("retryLabel", { title: row.storyTitle })}>
                      {t("retry")}
                    </Button>
                  ) : null}
                </div>
              </Card>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
