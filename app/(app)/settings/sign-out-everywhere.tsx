"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ConfirmDialog } from "../../_components/modal";
import { FormAlert } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { signOutEverywhereAction } from "./account-actions";

/**
 * "Sign out everywhere": asks first, saying what ends and what does not; on success the server
 * signs this browser out too and the sign-in page says what happened.
 */
export function SignOutEverywhere() {
  const t = useTranslations("settings.sessions");
  const word = useErrorWords();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <ConfirmDialog
        trigger={t("button")}
        triggerVariant="secondary"
        title={t("confirmTitle")}
        description={t("confirmBody")}
        cancelLabel={t("cancel")}
        confirmLabel={t("confirm")}
        workingLabel={t("working")}
        onConfirm={async () => {
          const result = await signOutEverywhereAction(null);
          // Success leaves the page (a redirect to sign-in); only a refusal comes back.
          if (result && !result.ok) setError(word(result.error));
        }}
      />
      <FormAlert message={error} />
    </div>
  );
}
