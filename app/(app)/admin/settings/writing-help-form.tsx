"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { WritingHelpSettings } from "@/lib/orgs/settings";
import { CheckboxField, Field, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveWritingHelpAction } from "./actions";

/**
 * Writing help in plain words: whether the server has a model and which, what Ripple sends
 * it, this month's use, and the organisation's switch and monthly budget.
 */
export function WritingHelpForm({ initial, model, usage }: { initial: WritingHelpSettings; model: string | null; usage: string }) {
  const t = useTranslations("admin.writingHelp");
  const [enabled, setEnabled] = useState(initial.enabled);
  const [budget, setBudget] = useState(initial.monthlyRequests === null ? "" : String(initial.monthlyRequests));
  const { result, pending, submit } = useAction(saveWritingHelpAction);
  const feedback = useActionFeedback(result);
  const ids = { enabled: useId(), budget: useId() };
  const input = { enabled, monthlyRequests: budget.trim() === "" ? null : Number(budget) };
  return (
    <form noValidate className="mt-6" onSubmit={submit(input)}>
      <Section card title={t("title")} description={t("description")}>
        <div className="space-y-4 text-sm text-slate-800">
          <p role="status" className="rounded-md bg-slate-50 p-3" data-testid="writing-help-state">
            {model ? t("configured", { model }) : t("notConfigured")} {model ? usage : null}
          </p>
          <div>
            <h3 className="font-medium text-slate-900">{t("sentTitle")}</h3>
            <ul className="mt-1 list-disc space-y-1 pl-5">
              <li>{t("sentSuggest")}</li>
              <li>{t("sentInMyWords")}</li>
              <li>{t("sentTranslate")}</li>
              <li>{t("sentNever")}</li>
            </ul>
          </div>
          {model ? (
            <>
              <CheckboxField id={ids.enabled} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} label={t("enabled")} hint={t("enabledHint")} />
              <Field label={t("budget")} htmlFor={ids.budget} hint={t("budgetHint")} errors={feedback.field("monthlyRequests")}>
                <input id={ids.budget} type="number" inputMode="numeric" min={0} step={1} value={budget} onChange={(e) => setBudget(e.target.value)} className={`${inputClass} sm:w-48`} />
              </Field>
              <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
            </>
          ) : null}
        </div>
      </Section>
    </form>
  );
}
