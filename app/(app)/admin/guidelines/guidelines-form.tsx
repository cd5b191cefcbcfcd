"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Markdown } from "../../../_components/markdown";
import { Card, CheckboxField, Field, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveGuidelinesAction } from "./actions";

/** Danish and English side by side, each with its live preview, saved together as a new version. */
export function GuidelinesForm(initial: { bodyDa: string; bodyEn: string }) {
  const t = useTranslations("admin.guidelines");
  const [bodyDa, setBodyDa] = useState(initial.bodyDa);
  const [bodyEn, setBodyEn] = useState(initial.bodyEn);
  const [requiresAcceptance, setRequiresAcceptance] = useState(true);
  const { result, pending, submit } = useAction(saveGuidelinesAction);
  const feedback = useActionFeedback(result);
  const ids = { da: useId(), en: useId(), requires: useId() };
  const columns = [
    { key: "bodyDa", lang: "da", id: ids.da, label: t("danish"), value: bodyDa, set: setBodyDa },
    { key: "bodyEn", lang: "en", id: ids.en, label: t("english"), value: bodyEn, set: setBodyEn },
  ] as const;
  return (
    <form noValidate className="space-y-6" onSubmit={submit({ bodyDa, bodyEn, requiresAcceptance })}>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        {columns.map((column) => (
          <div key={column.key} className="min-w-0 space-y-4">
            <Field label={t("text", { language: column.label })} htmlFor={column.id} errors={feedback.field(column.key)}>
              <textarea
                id={column.id}
                lang={column.lang}
                value={column.value}
                onChange={(e) => column.set(e.target.value)}
                rows={18}
                className={`${inputClass} font-mono`}
              />
            </Field>
            {/* Focusable: a keyboard user must be able to scroll the preview too. */}
            <Card tabIndex={0} aria-label={t("preview", { language: column.label })} className="max-h-[32rem] overflow-y-auto">
              <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-700">{t("preview", { language: column.label })}</h2>
              {column.value.trim() ? <Markdown source={column.value} lang={column.lang} /> : <p className="text-sm text-slate-700">{t("emptyPreview")}</p>}
            </Card>
          </div>
        ))}
      </div>
      <CheckboxField
        id={ids.requires}
        checked={requiresAcceptance}
        onChange={(e) => setRequiresAcceptance(e.target.checked)}
        label={t("requiresAcceptance")}
        hint={t("requiresAcceptanceHint")}
      />
      <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved", { version: result.data.version })} error={feedback.message} />
    </form>
  );
}
