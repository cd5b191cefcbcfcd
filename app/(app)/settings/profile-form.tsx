"use client";

import { useTranslations } from "next-intl";
import { useId } from "react";
import { Field, Options, SubmitRow, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { updateProfileAction } from "./actions";

export function ProfileForm({ name, email, timeZone, orgTimeZone, timeZones }: { name: string; email: string; timeZone: string; orgTimeZone: string; timeZones: string[] }) {
  const t = useTranslations("settings");
  const { state, pending, onSubmit } = useFormAction(updateProfileAction);
  const feedback = useActionFeedback(state);
  const ids = { name: useId(), email: useId(), tz: useId() };
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={t("email")} htmlFor={ids.email}>
        <input id={ids.email} value={email} readOnly className={`${inputClass} bg-slate-100`} />
      </Field>
      <Field label={t("name")} htmlFor={ids.name} errors={feedback.field("name")}>
        <input id={ids.name} name="name" defaultValue={name} required autoComplete="name" className={inputClass} />
      </Field>
      <Field label={t("timeZone")} htmlFor={ids.tz} hint={t("timeZoneHint")} errors={feedback.field("timeZone")}>
        <select id={ids.tz} name="timeZone" defaultValue={timeZone} className={inputClass}>
          <option value="">{t("orgTimeZone", { zone: orgTimeZone })}</option>
          <Options options={timeZones} />
        </select>
      </Field>
      <SubmitRow label={t("save")} pending={pending} success={state?.ok && t("saved")} error={feedback.message} />
    </form>
  );
}
