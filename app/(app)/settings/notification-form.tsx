"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { CheckboxField, SubmitRow } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { saveNotificationPrefsAction } from "./notification-actions";

/** Which mails the member gets. The weekly digest goes to employees and the weekly report to managers, so only they see those switches. */
export function NotificationForm(initial: { weeklyDigest: boolean; withdrawnMail: boolean; weeklyReport: boolean; showDigest: boolean; showReport: boolean }) {
  const t = useTranslations("settings.notifications");
  const [weeklyDigest, setWeeklyDigest] = useState(initial.weeklyDigest);
  const [withdrawnMail, setWithdrawnMail] = useState(initial.withdrawnMail);
  const [weeklyReport, setWeeklyReport] = useState(initial.weeklyReport);
  const { result, pending, submit, clear } = useAction(saveNotificationPrefsAction);
  const feedback = useActionFeedback(result);
  const ids = { digest: useId(), withdrawn: useId(), report: useId() };
  const options = [
    ...(initial.showDigest ? [{ id: ids.digest, label: t("weeklyDigest"), hint: t("weeklyDigestHint"), checked: weeklyDigest, set: setWeeklyDigest }] : []),
    { id: ids.withdrawn, label: t("withdrawnMail"), hint: t("withdrawnMailHint"), checked: withdrawnMail, set: setWithdrawnMail },
    ...(initial.showReport ? [{ id: ids.report, label: t("weeklyReport"), hint: t("weeklyReportHint"), checked: weeklyReport, set: setWeeklyReport }] : []),
  ];
  return (
    <form noValidate className="space-y-4" onSubmit={submit({ weeklyDigest, withdrawnMail, weeklyReport })}>
      {options.map((option) => (
        <CheckboxField
          key={option.id}
          id={option.id}
          checked={option.checked}
          onChange={(e) => {
            option.set(e.target.checked);
            clear();
          }}
          label={option.label}
          hint={option.hint}
        />
      ))}
      <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
    </form>
  );
}
