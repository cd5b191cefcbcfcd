"use client";

import { useTranslations } from "next-intl";
import { Button } from "../../_components/ui";
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
      <Button type="submit" variant="secondary" disabled={pending}>
        {optedOut ? t("optIn") : t("optOut")}
      </Button>
      <div aria-live="polite" className="text-sm">
        {feedback.message ? <p className="text-red-800">{feedback.message}</p> : null}
      </div>
    </form>
  );
}
