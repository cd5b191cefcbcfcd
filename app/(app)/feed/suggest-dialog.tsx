"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { FormDialog } from "../../_components/form-dialog";
import { Field, LiveStatus, inputClass } from "../../_components/ui";
import { suggestStoryAction } from "./actions";

/** "Suggest a story": a link and a line for the communications team. */
export function SuggestDialog() {
  const t = useTranslations("feed.suggest");
  const [thanks, setThanks] = useState<string | null>(null);
  const ids = { url: useId(), note: useId() };
  return (
    <div className="flex flex-col items-start gap-2 sm:items-end">
      <FormDialog
        trigger={t("open")}
        title={t("title")}
        description={t("description")}
        action={suggestStoryAction}
        onSuccess={(data) => setThanks(t("thanks", { title: data.title }))}
        submitLabel={t("send")}
        workingLabel={t("sending")}
        cancelLabel={t("cancel")}
        quietWithFieldErrors
      >
        {(field) => (
          <>
            <Field label={t("url")} htmlFor={ids.url} errors={field("url")}>
              <input id={ids.url} name="url" type="url" inputMode="url" required className={inputClass} />
            </Field>
            <Field label={t("note")} htmlFor={ids.note} hint={t("noteHint")} errors={field("note")}>
              <textarea id={ids.note} name="note" rows={3} maxLength={500} required className={inputClass} />
            </Field>
          </>
        )}
      </FormDialog>
      <LiveStatus success={thanks} />
    </div>
  );
}
