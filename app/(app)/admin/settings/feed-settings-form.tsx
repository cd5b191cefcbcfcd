"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { CheckboxField, Section, SubmitRow } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveFeedSettingsAction } from "./actions";

/** What employees see on each feed card besides the story: the colleague count. */
export function FeedSettingsForm(initial: { showColleagueShares: boolean }) {
  const t = useTranslations("admin.feedSettings");
  const [showColleagueShares, setShowColleagueShares] = useState(initial.showColleagueShares);
  const { result, pending, submit } = useAction(saveFeedSettingsAction);
  const feedback = useActionFeedback(result);
  const id = useId();
  return (
    <form noValidate className="mt-6" onSubmit={submit({ showColleagueShares })}>
      <Section card title={t("title")} description={t("description")}>
        <div className="space-y-4">
          <CheckboxField id={id} checked={showColleagueShares} onChange={(e) => setShowColleagueShares(e.target.checked)} label={t("showColleagueShares")} hint={t("showColleagueSharesHint")} />
          <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
        </div>
      </Section>
    </form>
  );
}
