"use client";

import { useTranslations } from "next-intl";
import { SubmitRow } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { setLeaderboardOptOutAction } from "./actions";

/** The switch between being on the leaderboard and not, with what each means. */
export function OptOutForm({ optedOut }: { optedOut: boolean }) {
  const t = useTranslations("me.leaderboard");
  const { state, pending, onSubmit } = useFormAction(setLeaderboardOptOutAction);
  const feedback = useActionFeedback(state);
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <input type="hidden" name="optOut" value={optedOut ? "false" : "true"} />
      <p className="text-sm text-slate-800">{optedOut ? t("optedOutNow") : t("optedInNow")}</p>
      <SubmitRow label={optedOut ? t("optIn") : t("optOut")} variant="secondary" pending={pending} error={feedback.message} />
    </form>
  );
}
