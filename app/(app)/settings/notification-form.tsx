"use client";

import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { Button } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { saveNotificationPrefsAction } from "./notification-actions";

type Result = Awaited<ReturnType<typeof saveNotificationPrefsAction>>;

/** Which mails the member gets. The weekly digest goes to employees and the weekly report to managers, so only they see those switches. */
export function NotificationForm(initial: { weeklyDigest: boolean; withdrawnMail: boolean; weeklyReport: boolean; showDigest: boolean; showReport: boolean }) {
  const t = useTranslations("settings.notifications");
  const [weeklyDigest, setWeeklyDigest] = useState(initial.weeklyDigest);
  const [withdrawnMail, setWithdrawnMail] = useState(initial.withdrawnMail);
  const [weeklyReport, setWeeklyReport] = useState(initial.weeklyReport);
  const [result, setResult] = useState<Result | null>(null);
  const [pending, start] = useTransition();
  const feedback = useActionFeedback(result);
  const ids = { digest: useId(), withdrawn: useId(), report: useId() };
  const options = [
    ...(initial.showDigest ? [{ id: ids.digest, label: t("weeklyDigest"), hint: t("weeklyDigestHint"), checked: weeklyDigest, set: setWeeklyDigest }] : []),
    { id: ids.withdrawn, label: t("withdrawnMail"), hint: t("withdrawnMailHint"), checked: withdrawnMail, set: setWithdrawnMail },
    ...(initial.showReport ? [{ id: ids.report, label: t("weeklyReport"), hint: t("weeklyReportHint"), checked: weeklyReport, set: setWeeklyReport }] : []),
  ];
  return (
    <form
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setResult(await saveNotificationPrefsAction({ weeklyDigest, withdrawnMail, weeklyReport })));
      }}
    >
      {options.map((option) => (
        <label key={option.id} htmlFor={option.id} className="flex items-start gap-2 text-sm text-slate-900">
          <input
            id={option.id}
            type="checkbox"
            checked={option.checked}
            onChange={(e) => {
              option.set(e.target.checked);
              setResult(null);
            }}
            className="mt-0.5 h-4 w-4"
          />
          <span>
            {option.label}
            <span className="block text-slate-700">{option.hint}</span>
          </span>
        </label>
      ))}
      <div aria-live="polite">
        {result?.ok ? <p className="text-sm text-green-900">{t("saved")}</p> : null}
        {feedback.message ? <p className="text-sm text-red-800">{feedback.message}</p> : null}
      </div>
      <Button type="submit" disabled={pending}>
        {t("save")}
      </Button>
    </form>
  );
}
