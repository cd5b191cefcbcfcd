"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Dialog } from "radix-ui";
import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import type { StoryStatus } from "@/lib/stories";
import { ModalContent, ModalFooter } from "../../../_components/modal";
import { Button, Field, LiveStatus, inputClass } from "../../../_components/ui";
import { useErrorWords } from "../../../_components/use-action-feedback";
import { useNotice } from "../../../_components/use-notice";
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
  const word = useErrorWords();
  const router = useRouter();
  const [pending, start] = useTransition();
  const { notify, status: outcome } = useNotice();
  const [dialog, setDialog] = useState<"reject" | "archive" | null>(null);
  const [reason, setReason] = useState("");
  const reasonId = useId();

  const run = <T,>(fn: () => Promise<ActionResult<T>>, done: (data: T) => string) =>
    start(async () => {
      const res = await fn();
      if (res.ok) {
        notify(done(res.data));
        setDialog(null);
        setReason("");
        router.refresh();
      } else {
        notify(word(Object.values(res.fieldErrors ?? {})[0]?.[0] ?? res.error), true);
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
          <Button disabled={pending || blockedOwn} title={blockedOwn ? te("cannotApproveOwn") : undefined} onClick={() => run(() => approveStoryAction({ storyId }), (d) => (d.status === "published" ? t("publishedNow") : t("approvedScheduled")))}>
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
      <LiveStatus className="sm:basis-full" {...outcome} />
      <Dialog.Root open={dialog !== null} onOpenChange={(open) => !open && setDialog(null)}>
        <ModalContent title={dialog === "reject" ? t("rejectTitle") : t("withdrawTitle")} description={dialog === "reject" ? t("rejectBody") : t("withdrawBody")}>
            <form
              className="space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                if (dialog === "reject") run(() => rejectStoryAction({ storyId, note: reason }), () => t("rejected"));
                else run(() => archiveStoryAction({ storyId, reason }), (d) => t("withdrawn", { count: d.cancelledShares }));
              }}
            >
              <Field label={dialog === "reject" ? t("rejectNote") : t("withdrawReason")} htmlFor={reasonId}>
                <textarea id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={1000} required={dialog === "reject"} className={inputClass} />
              </Field>
              <ModalFooter
                cancelLabel={t("cancel")}
                submitLabel={dialog === "reject" ? t("reject") : t("withdrawConfirm")}
                submitVariant={dialog === "archive" ? "danger" : "primary"}
                pending={pending}
              />
            </form>
          </ModalContent>
      </Dialog.Root>
    </section>
  );
}
