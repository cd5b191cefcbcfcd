"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Button } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { acceptGuidelinesAction } from "./actions";

/** The acknowledgement button; afterwards back to where the person was going, or the page again. */
export function AcceptForm({ version, next }: { version: number; next: string | null }) {
  const t = useTranslations("guidelines");
  const router = useRouter();
  const { state, pending, onSubmit } = useFormAction(acceptGuidelinesAction);
  const feedback = useActionFeedback(state);
  useEffect(() => {
    if (!state?.ok) return;
    if (state.data.next) router.push(state.data.next);
    else router.refresh();
  }, [state, router]);
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <input type="hidden" name="version" value={version} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Button type="submit" disabled={pending || state?.ok === true}>
        {t("accept")}
      </Button>
      <div aria-live="polite" className="text-sm">
        {state?.ok ? <p className="text-green-900">{t("acceptedNow")}</p> : null}
        {feedback.message ? (
          <p role="alert" className="font-medium text-red-800">
            {feedback.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
