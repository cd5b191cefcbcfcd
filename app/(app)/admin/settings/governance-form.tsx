"use client";

import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { Button, Card, Field, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { saveGovernanceAction } from "./actions";

type Result = Awaited<ReturnType<typeof saveGovernanceAction>>;

/** Review, disclosure and blocked words: the organisation's content rules. */
export function GovernanceForm(initial: { approvalRequired: boolean; disclosureHashtag: string; blockedWords: string[] }) {
  const t = useTranslations("admin.settings");
  const [approvalRequired, setApprovalRequired] = useState(initial.approvalRequired);
  const [hashtag, setHashtag] = useState(initial.disclosureHashtag);
  const [words, setWords] = useState(initial.blockedWords.join("\n"));
  const [result, setResult] = useState<Result | null>(null);
  const [pending, start] = useTransition();
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
    <form
      noValidate
      className="space-y-6"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setResult(await saveGovernanceAction({ approvalRequired, disclosureHashtag: hashtag, blockedWords: words })));
      }}
    >
      <Card className="space-y-3">
        <h2 className="text-lg font-semibold text-slate-900">{t("review")}</h2>
        <label htmlFor={ids.approval} className="flex items-start gap-2 text-sm text-slate-900">
          <input id={ids.approval} type="checkbox" checked={approvalRequired} onChange={(e) => setApprovalRequired(e.target.checked)} className="mt-0.5 h-4 w-4" />
          <span>
            {t("approvalRequired")}
            <span className="block text-slate-700">{t("approvalRequiredHint")}</span>
          </span>
        </label>
      </Card>
      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("disclosure")}</h2>
        <Field label={t("hashtag")} htmlFor={ids.hashtag} hint={t("hashtagHint")} errors={feedback.field("disclosureHashtag")}>
          <input id={ids.hashtag} value={hashtag} onChange={(e) => setHashtag(e.target.value)} placeholder="#nordlysansat" className={inputClass} />
        </Field>
      </Card>
      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("blocked")}</h2>
        <Field label={t("blockedWords")} htmlFor={ids.words} hint={t("blockedWordsHint")} errors={phraseErrors.length ? phraseErrors : feedback.field("blockedWords")}>
          <textarea id={ids.words} value={words} onChange={(e) => setWords(e.target.value)} rows={8} className={inputClass} />
        </Field>
      </Card>
      <div className="flex items-center gap-4">
        <Button type="submit" disabled={pending}>
          {t("save")}
        </Button>
        <div aria-live="polite" className="text-sm">
          {result?.ok ? <span className="text-green-900">{t("saved")}</span> : feedback.message ? <span className="font-medium text-red-800">{feedback.message}</span> : null}
        </div>
      </div>
    </form>
  );
}
