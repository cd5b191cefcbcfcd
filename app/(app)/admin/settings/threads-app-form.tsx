"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Button, Field, LiveStatus, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { removeNetworkAppAction, saveNetworkAppAction } from "./network-app-actions";

/**
 * The organisation's own Threads app (a Meta app with the Threads use case): its Threads app
 * id and secret, and the redirect address to register with it. With one saved, employees
 * connect their Threads profiles and Ripple posts for them; without, Threads is a share window.
 */
export function ThreadsAppForm({ initial, redirectUri }: { initial: { clientId: string } | null; redirectUri: string }) {
  const t = useTranslations("admin.threadsApp");
  const [clientId, setClientId] = useState(initial?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [stored, setStored] = useState(initial !== null);
  const save = useAction(saveNetworkAppAction);
  const remove = useAction(removeNetworkAppAction);
  const feedback = useActionFeedback(save.result);
  const removeFeedback = useActionFeedback(remove.result);
  const ids = { section: useId(), clientId: useId(), clientSecret: useId(), redirect: useId() };
  return (
    <form
      noValidate
      className="mt-6"
      onSubmit={save.submit({ network: "threads", clientId, clientSecret }, (result) => {
        if (result.ok) {
          setStored(true);
          setClientSecret("");
        }
      })}
    >
      <Section card id={ids.section} title={t("title")} description={t("description")}>
        <div className="space-y-4">
          <p role="status" className="rounded-md bg-slate-50 p-3 text-sm text-slate-800" data-testid="threads-app-state">
            {stored ? t("stateOn") : t("stateOff")}
          </p>
          <Field label={t("redirectUri")} htmlFor={ids.redirect} hint={t("redirectUriHint")}>
            <input id={ids.redirect} readOnly value={redirectUri} className={`${inputClass} font-mono`} onFocus={(e) => e.target.select()} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label={t("clientId")} htmlFor={ids.clientId} errors={feedback.field("clientId")}>
              <input id={ids.clientId} value={clientId} onChange={(e) => setClientId(e.target.value)} inputMode="numeric" autoComplete="off" className={inputClass} />
            </Field>
            <Field label={t("clientSecret")} htmlFor={ids.clientSecret} hint={stored ? t("clientSecretKept") : undefined} errors={feedback.field("clientSecret")}>
              <input id={ids.clientSecret} type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} autoComplete="new-password" className={inputClass} />
            </Field>
          </div>
          <SubmitRow label={t("save")} pending={save.pending} success={save.result?.ok && t("saved")} error={feedback.message} />
          {stored ? (
            <div className="flex flex-wrap items-center gap-4 border-t border-slate-200 pt-4">
              <Button
                type="button"
                variant="secondary"
                disabled={remove.pending}
                onClick={() =>
                  remove.run({ network: "threads" }, (result) => {
                    if (result.ok) {
                      setStored(false);
                      setClientId("");
                    }
                  })
                }
              >
                {t("remove")}
              </Button>
              <LiveStatus success={remove.result?.ok && t("removed")} error={removeFeedback.message} />
            </div>
          ) : null}
        </div>
      </Section>
    </form>
  );
}
