"use client";

import { useTranslations } from "next-intl";
import { Button, Field, inputClass } from "../_components/ui";
import { useFormAction } from "../_components/use-form-action";
import { requestSignInLink } from "./actions";

export function EmailSignInForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("signin");
  const te = useTranslations("errors");
  const { state, pending, onSubmit } = useFormAction(requestSignInLink);
  const emailErrors = state && !state.ok ? (state.fieldErrors?.email ?? [state.error]).map((code) => (te.has(code) ? te(code) : code)) : undefined;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field label={t("emailLabel")} htmlFor="email" errors={emailErrors}>
        <input id="email" name="email" type="email" autoComplete="email" required className={inputClass} aria-invalid={emailErrors ? true : undefined} />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("sending") : t("emailSubmit")}
      </Button>
    </form>
  );
}
