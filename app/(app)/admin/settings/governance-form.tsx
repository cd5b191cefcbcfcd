"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { CheckboxField, Field, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveGovernanceAction } from "./actions";

/** Review, disclosure and blocked words: the organisation's content rules. */
export function GovernanceForm(initial: { approvalRequired: boolean; disclosureHashtag: string; blockedWords: string[] }) {
  const t = useTranslations("admin.settings");
  const [approvalRequired, setApprovalRequired] = useState(initial.approvalRequired);
  const [hashtag, setHashtag] = useState(initial.disclosureHashtag);
  const [words, setWords] = useState(initial.blockedWords.join("\n"));
  const { result, pending, submit } = useAction(saveGovernanceAction);
  const feedback = useActionFeedback(result);
  const ids = { approval: useId(), hashtag: useId(), words: useId() };
  // Errors on one phrase come back as blockedWords.<index>: show them with the phrase.
  const phraseErrors = Object.entries(result && !result.ok ? (result.fieldErrors ?? {}) : {})
    .filter(([key]) => key.startsWith("blockedWords"))
    .map(([key]) => {
      const index = Number(key.split(".")[1]);
      const phrase = words.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)[index];
      return `${phrase ? `“${phrase}”: ` : ""}${(feedback.field(key) ?? []).join(" ")}`;
    });
  return (
    <form noValidate className="space-y-6" onSubmit={submit({ approvalRequired, disclosureHashtag: hashtag, blockedWords: words })}>
      <Section card title={t("review")}>
        <CheckboxField id={ids.approval} checked={approvalRequired} onChange={(e) => setApprovalRequired(e.target.checked)} label={t("approvalRequired")} hint={t("approvalRequiredHint")} />
      </Section>
      <Section card title={t("disclosure")}>
        <Field label={t("hashtag")} htmlFor={ids.hashtag} hint={t("hashtagHint")} errors={feedback.field("disclosureHashtag")}>
          <input id={ids.hashtag} value={hashtag} onChange={(e) => setHashtag(e.target.value)} placeholder="#nordlysansat" className={inputClass} />
        </Field>
      </Section>
      <Section card title={t("blocked")}>
        <Field label={t("blockedWords")} htmlFor={ids.words} hint={t("blockedWordsHint")} errors={phraseErrors.length ? phraseErrors : feedback.field("blockedWords")}>
          <textarea id={ids.words} value={words} onChange={(e) => setWords(e.target.value)} rows={8} className={inputClass} />
        </Field>
      </Section>
      <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
    </form>
  );
}
