"use client";

import { useTranslations } from "next-intl";
import { Dialog } from "radix-ui";
import { useEffect, useId, useState } from "react";
import { ModalContent } from "../../_components/modal";
import { Button, Field, buttonClass, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { suggestStoryAction } from "./actions";

/** "Suggest a story": a link and a line for the communications team. */
export function SuggestDialog() {
  const t = useTranslations("feed.suggest");
  const [open, setOpen] = useState(false);
  const [thanks, setThanks] = useState<string | null>(null);
  const { state, pending, onSubmit } = useFormAction(suggestStoryAction);
  const feedback = useActionFeedback(state);
  const ids = { url: useId(), note: useId() };
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      setThanks(t("thanks", { title: state.data.title }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <div className="flex flex-col items-start gap-2 sm:items-end">
      <Dialog.Root open={open} onOpenChange={setOpen}>
        <Dialog.Trigger className={buttonClass("secondary")}>{t("open")}</Dialog.Trigger>
        <ModalContent title={t("title")} description={t("description")}>
            <form onSubmit={onSubmit} noValidate className="space-y-4">
              <Field label={t("url")} htmlFor={ids.url} errors={feedback.field("url")}>
                <input id={ids.url} name="url" type="url" inputMode="url" required className={inputClass} />
              </Field>
              <Field label={t("note")} htmlFor={ids.note} hint={t("noteHint")} errors={feedback.field("note")}>
                <textarea id={ids.note} name="note" rows={3} maxLength={500} required className={inputClass} />
              </Field>
              {feedback.message && !Object.keys(state && !state.ok ? (state.fieldErrors ?? {}) : {}).length ? (
                <p role="alert" className="text-sm text-red-800">
                  {feedback.message}
                </p>
              ) : null}
              <div className="flex justify-end gap-2">
                <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
                <Button type="submit" disabled={pending}>
                  {pending ? t("sending") : t("send")}
                </Button>
              </div>
            </form>
          </ModalContent>
      </Dialog.Root>
      <div aria-live="polite">{thanks ? <p className="text-sm text-green-900">{thanks}</p> : null}</div>
    </div>
  );
}
