"use client";

import { useTranslations } from "next-intl";
import { useId } from "react";
import type { PointsSettings } from "@/lib/orgs/points";
import { Field, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useFormAction } from "../../../_components/use-form-action";
import { savePointsAction } from "./actions";

/** Points per action for the leaderboard (0 turns an action's points off). */
export function PointsForm({ points }: { points: PointsSettings }) {
  const t = useTranslations("me.pointsAdmin");
  const { state, pending, onSubmit } = useFormAction(savePointsAction);
  const feedback = useActionFeedback(state);
  const ids = { share: useId(), click: useId(), engagement: useId() };
  return (
    <Section card title={t("title")} description={t("hint")} className="mt-6">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-3">
          {(["share", "click", "engagement"] as const).map((key) => (
            <Field key={key} label={t(key)} htmlFor={ids[key]} errors={feedback.field(key)}>
              <input id={ids[key]} name={key} type="number" inputMode="numeric" min={0} max={1000} step={1} defaultValue={points[key]} required className={inputClass} />
            </Field>
          ))}
        </div>
        <SubmitRow label={t("save")} pending={pending} success={state?.ok && t("saved")} error={feedback.message} />
      </form>
    </Section>
  );
}
