"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { Field, SubmitRow, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { deleteAccountAction } from "./account-actions";

/**
 * Deleting one's account: what happens, then the confirm step (type the word shown, in
 * the page's language). The server checks the word again; on success it signs out.
 */
export function DeleteAccountForm({ word, locale }: { word: string; locale: Locale }) {
  const t = useTranslations("me.data");
  const { state, pending, onSubmit } = useFormAction(deleteAccountAction);
  const feedback = useActionFeedback(state);
  const [typed, setTyped] = useState("");
  const id = useId();
  const matches = typed.trim().toLocaleUpperCase(locale) === word;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-800">
        <li>{t("deleteWhat.tokens")}</li>
        <li>{t("deleteWhat.shares")}</li>
        <li>{t("deleteWhat.figures")}</li>
        <li>{t("deleteWhat.points")}</li>
        <li>{t("deleteWhat.otherOrgs")}</li>
      </ul>
      <input type="hidden" name="locale" value={locale} />
      <Field label={t("confirmLabel", { word })} htmlFor={id} hint={t("confirmHint")} errors={feedback.field("confirm")}>
        <input id={id} name="confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} className={inputClass} />
      </Field>
      <SubmitRow label={t("deleteButton")} variant="danger" pending={pending} disabled={!matches} error={feedback.message} />
    </form>
  );
}
