"use client";

import { useTranslations } from "next-intl";
import { useId } from "react";
import { Button, Card, Field, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useFormAction } from "../../../_components/use-form-action";
import { savePointsAction } from "./actions";

/** Points per action for the leaderboard (0 turns an action's points off). */
export function PointsForm({ points }: { points: { share: number; click: number; engagement: number } }) {
  const t = useTranslations("me.pointsAdmin");
  const { state, pending, onSubmit } = useFormAction(savePointsAction);
  const feedback = useActionFeedback(state);
  const ids = { share: useId(), click: useId(), engagement: useId() };
  return (
    <Card className="mt-6 space-y-4">
      <h2 className="text-lg font-semibold text-slate-900">{t("title")}</h2>
      <p className="text-sm text-slate-700">{t("hint")}</p>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-3">
          {(["share", "click", "engagement"] as const).map((key) => (
            <Field key={key} label={t(key)} htmlFor={ids[key]} errors={feedback.field(key)}>
              <input id={ids[key]} name={key} type="number" inputMode="numeric" min={0} max={1000} step={1} defaultValue={points[key]} required className={inputClass} />
            </Field>
          ))}
        </div>
        <div className="flex items-center gap-4">
          <Button type="submit" disabled={pending}>
            {t("save")}
          </Button>
          <div aria-live="polite" className="text-sm">
            {state?.ok ? <span className="text-green-900">{t("saved")}</span> : feedback.message ? <span className="font-medium text-red-800">{feedback.message}</span> : null}
          </div>
        </div>
      </form>
    </Card>
  );
}
