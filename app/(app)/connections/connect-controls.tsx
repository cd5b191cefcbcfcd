"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import type { StartConnectInput } from "@/lib/connections";
import { FormDialog } from "../../_components/form-dialog";
import { ConfirmDialog } from "../../_components/modal";
import { Button, Field, FormAlert, inputClass, type ButtonVariant } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { connectBlueskyAction, disconnectAction, startConnectAction } from "./actions";

/** The networks connected through the network's own consent page. */
export type OAuthNetwork = StartConnectInput["network"];

/** Typed-in account names and addresses: no capitals or spelling fixes added by a phone keyboard. */
const verbatim = { autoCapitalize: "none", spellCheck: false, className: inputClass } as const;

/** Goes to the network's consent page (LinkedIn, X, or a Mastodon instance already known). */
export function OAuthConnectButton({
  network,
  networkLabel,
  label,
  instanceUrl,
  variant = "primary",
  ariaLabel,
}: {
  network: OAuthNetwork;
  networkLabel: string;
  label: string;
  instanceUrl?: string;
  variant?: ButtonVariant;
  ariaLabel?: string;
}) {
  const t = useTranslations("connections");
  const word = useErrorWords("unexpected");
  const [pending, startTransition] = useTransition();
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = () =>
    startTransition(async () => {
      setError(null);
      const result = await startConnectAction({ network, instanceUrl });
      if (result.ok) {
        setLeaving(true);
        window.location.assign(result.data.redirectUrl);
      } else setError(word(result.error));
    });
  return (
    <div className="flex flex-col items-start gap-1">
      <Button type="button" variant={variant} onClick={start} disabled={pending || leaving} aria-label={pending || leaving ? undefined : ariaLabel}>
        {pending || leaving ? t("redirecting", { network: networkLabel }) : label}
      </Button>
      <FormAlert message={error} />
    </div>
  );
}

/** Mastodon: which instance, then its consent page. */
export function MastodonConnectDialog({ label, variant = "primary", ariaLabel }: { label: string; variant?: ButtonVariant; ariaLabel?: string }) {
  const t = useTranslations("connections");
  const id = useId();
  return (
    <FormDialog
      trigger={label}
      triggerLabel={ariaLabel}
      triggerVariant={variant}
      title={t("mastodon.title")}
      description={t("mastodon.description")}
      action={startConnectAction}
      onSuccess={(data) => window.location.assign(data.redirectUrl)}
      stayOpen
      submitLabel={t("mastodon.submit")}
      workingLabel={t("mastodon.working")}
      cancelLabel={t("cancel")}
      quietWithFieldErrors
    >
      {(field) => (
        <>
          <input type="hidden" name="network" value="mastodon" />
          <Field label={t("mastodon.instance")} htmlFor={id} hint={t("mastodon.instanceHint")} errors={field("instanceUrl")}>
            <input id={id} name="instanceUrl" type="text" inputMode="url" autoComplete="url" required placeholder="mastodon.social" {...verbatim} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

/** Bluesky: handle and app password (and the PDS when it is not Bluesky's), no redirect. */
export function BlueskyConnectDialog({
  label,
  variant = "primary",
  identifier,
  pdsUrl,
  ariaLabel,
}: {
  label: string;
  variant?: ButtonVariant;
  identifier?: string;
  pdsUrl?: string;
  ariaLabel?: string;
}) {
  const t = useTranslations("connections");
  const router = useRouter();
  const ids = { identifier: useId(), password: useId(), pds: useId() };
  return (
    <FormDialog
      trigger={label}
      triggerLabel={ariaLabel}
      triggerVariant={variant}
      title={t("bluesky.title")}
      description={t("bluesky.description")}
      action={connectBlueskyAction}
      onSuccess={() => router.replace("/connections?connected=bluesky")}
      submitLabel={t("bluesky.submit")}
      workingLabel={t("bluesky.working")}
      cancelLabel={t("cancel")}
      quietWithFieldErrors
    >
      {(field) => (
        <>
          <p className="text-sm">
            <a href="https://bsky.app/settings/app-passwords" target="_blank" rel="noreferrer noopener" className="font-medium text-brand-700 underline">
              {t("bluesky.makeOne")}
            </a>{" "}
            <span className="text-slate-700">{t("bluesky.newTab")}</span>
          </p>
          <Field label={t("bluesky.identifier")} htmlFor={ids.identifier} hint={t("bluesky.identifierHint")} errors={field("identifier")}>
            <input id={ids.identifier} name="identifier" type="text" autoComplete="username" required defaultValue={identifier} placeholder="name.bsky.social" {...verbatim} />
          </Field>
          <Field label={t("bluesky.appPassword")} htmlFor={ids.password} hint={t("bluesky.appPasswordHint")} errors={field("appPassword")}>
            <input id={ids.password} name="appPassword" type="password" autoComplete="off" required placeholder="xxxx-xxxx-xxxx-xxxx" {...verbatim} />
          </Field>
          <Field label={t("bluesky.pds")} htmlFor={ids.pds} hint={t("bluesky.pdsHint")} errors={field("pdsUrl")}>
            <input id={ids.pds} name="pdsUrl" type="text" inputMode="url" defaultValue={pdsUrl} {...verbatim} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

/** Disconnect, after a confirmation that says what happens. */
export function DisconnectButton({ connectionId, handle, networkLabel }: { connectionId: string; handle: string; networkLabel: string }) {
  const t = useTranslations("connections");
  const word = useErrorWords("unexpected");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-start gap-1">
      <ConfirmDialog
        trigger={t("disconnect")}
        triggerLabel={t("disconnectAccount", { handle })}
        triggerVariant="secondary"
        title={t("disconnectConfirm.title", { handle })}
        description={t("disconnectConfirm.description", { network: networkLabel })}
        cancelLabel={t("cancel")}
        confirmLabel={t("disconnectConfirm.confirm")}
        workingLabel={t("disconnectConfirm.working")}
        onConfirm={async () => {
          setError(null);
          const result = await disconnectAction({ connectionId });
          if (result.ok) router.replace(`/connections?disconnected=${encodeURIComponent(handle)}`);
          else setError(word(result.error));
        }}
      />
      <FormAlert message={error} />
    </div>
  );
}
