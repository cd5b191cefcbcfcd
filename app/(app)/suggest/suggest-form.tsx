"use client";

import { useTranslations } from "next-intl";
import { useId } from "react";
import { Field, FormAlert, LiveStatus, SubmitRow, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { suggestStoryAction } from "../feed/actions";

/** "Suggest a story" as a page, for links shared into Ripple; the same action as the feed's dialog. */
export function SuggestForm({ url }: { url: string }) {
  const t = useTranslations("feed.suggest");
  const tShare = useTranslations("shareTarget");
  const { state, pending, onSubmit } = useFormAction(suggestStoryAction);
  const feedback = useActionFeedback(state);
  const ids = { url: useId(), note: useId() };
  if (state?.ok) {
    return (
      <div className="space-y-4">
        <LiveStatus boxed success={t("thanks", { title: state.data.title })} />
        <a href="/feed" className="text-sm font-medium text-brand-700 underline">
          {tShare("toFeed")}
        </a>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={t("url")} htmlFor={ids.url} errors={feedback.field("url")}>
        <input id={ids.url} name="url" type="url" inputMode="url" required defaultValue={url} className={inputClass} />
      </Field>
      <Field label={t("note")} htmlFor={ids.note} hint={t("noteHint")} errors={feedback.field("note")}>
        <textarea id={ids.note} name="note" rows={3} maxLength={500} required className={inputClass} />
      </Field>
      <FormAlert message={feedback.hasFieldErrors ? undefined : feedback.message} />
      <SubmitRow label={pending ? t("sending") : t("send")} pending={pending} />
    </form>
  );
}
