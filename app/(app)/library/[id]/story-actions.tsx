"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Dialog } from "radix-ui";
import { useId, useState, useTransition } from "react";
type StoryStatus = "draft" | "in_review" | "approved" | "published" | "archived";
import { ModalContent } from "../../../_components/modal";
import { Button, buttonClass, inputClass } from "../../../_components/ui";
import { approveStoryAction, archiveStoryAction, rejectStoryAction, submitStoryAction } from "../actions";

/** The lifecycle buttons a story offers in its state, with a reason asked where one is needed. */
export function StoryActions({
  storyId,
  status,
  ownStory,
  approvalRequired,
  publishAtLabel,
}: {
  storyId: string;
  status: StoryStatus;
  ownStory: boolean;
  approvalRequired: boolean;
  publishAtLabel: string | null;
}) {
  const t = useTranslations("storyPage");
  const te = useTranslations("errors");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [dialog, setDialog] = useState<"reject" | "archive" | null>(null);
  const [reason, setReason] = useState("");
  const reasonId = useId();

  const run = (fn: () => Promise<{ ok: true; data: unknown } | { ok: false; error: string; fieldErrors?: Record<string, string[]> }>, done: (data: unknown) => string) =>
    start(async () => {
      const res = await fn();
      if (res.ok) {
        setMessage({ text: done(res.data) });
        setDialog(null);
        setReason("");
        router.refresh();
      } else {
        const code = Object.values(res.fieldErrors ?? {})[0]?.[0] ?? res.error;
        setMessage({ text: te.has(code) ? te(code) : code, error: true });
      }
    });

  const canApprove = status === "in_review" || (!approvalRequired && status === "draft");
  const blockedOwn = approvalRequired && ownStory && status === "in_review";

  return (
    <section aria-label={t("actions")} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-slate-800">{t(`explain.${status}`, { date: publishAtLabel ?? "" })}</p>
      <div className="flex flex-wrap gap-2">
        {status === "draft" && approvalRequired ? (
          <Button disabled={pending} onClick={() => run(() => submitStoryAction({ storyId }), () => t("submitted"))}>
            {t("submit")}
          </Button>
        ) : null}
        {canApprove ? (
          <Button disabled={pending || blockedOwn} title={blockedOwn ? te("cannotApproveOwn") : undefined} onClick={() => run(() => approveStoryAction({ storyId }), (d) => ((d as { status: string }).status === "published" ? t("publishedNow") : t("approvedScheduled")))}>
            {approvalRequired ? t("approve") : t("approvePublish")}
          </Button>
        ) : null}
        {status === "in_review" ? (
          <Button variant="secondary" disabled={pending} onClick={() => setDialog("reject")}>
            {t("reject")}
          </Button>
        ) : null}
        {status !== "archived" ? (
          <Button variant="secondary" disabled={pending} onClick={() => setDialog("archive")}>
            {status === "published" || status === "approved" ? t("withdraw") : t("archive")}
          </Button>
        ) : null}
      </div>
      {blockedOwn ? <p className="text-sm text-slate-700 sm:hidden">{te("cannotApproveOwn")}</p> : null}
      <div aria-live="polite" className="sm:basis-full">
        {message ? <p className={message.error ? "text-sm font-medium text-red-800" : "text-sm text-green-900"}>{message.text}</p> : null}
      </div>
      <Dialog.Root open={dialog !== null} onOpenChange={(open) => !open && setDialog(null)}>
        <ModalContent title={dialog === "reject" ? t("rejectTitle") : t("withdrawTitle")} description={dialog === "reject" ? t("rejectBody") : t("withdrawBody")}>
            <form
              className="space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                if (dialog === "reject") run(() => rejectStoryAction({ storyId, note: reason }), () => t("rejected"));
                else run(() => archiveStoryAction({ storyId, reason }), (d) => t("withdrawn", { count: (d as { cancelledShares: number }).cancelledShares }));
              }}
            >
              <div>
                <label htmlFor={reasonId} className="block text-sm font-medium text-slate-900">
                  {dialog === "reject" ? t("rejectNote") : t("withdrawReason")}
                </label>
                <textarea id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={1000} required={dialog === "reject"} className={inputClass} />
              </div>
              <div className="flex justify-end gap-2">
                <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
                <Button type="submit" variant={dialog === "archive" ? "danger" : "primary"} disabled={pending}>
                  {dialog === "reject" ? t("reject") : t("withdrawConfirm")}
                </Button>
              </div>
            </form>
          </ModalContent>
      </Dialog.Root>
    </section>
  );
}
