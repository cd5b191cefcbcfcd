"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { AlertDialog, Dialog } from "radix-ui";
import { useEffect, useId, useState, useTransition } from "react";
import { ConfirmContent, ModalContent } from "../../_components/modal";
import { Button, Field, buttonClass, inputClass, type ButtonVariant } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { connectBlueskyAction, disconnectAction, startConnectAction } from "./actions";

type OAuthNetwork = "linkedin" | "x" | "mastodon";

function useErrorWord() {
  const te = useTranslations("errors");
  return (code: string) => (te.has(code) ? te(code) : te("unexpected"));
}

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
  const word = useErrorWord();
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
      {error ? (
        <p role="alert" className="text-sm text-red-800">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Mastodon: which instance, then its consent page. */
export function MastodonConnectDialog({ label, variant = "primary", ariaLabel }: { label: string; variant?: ButtonVariant; ariaLabel?: string }) {
  const t = useTranslations("connections");
  const { state, pending, onSubmit } = useFormAction(startConnectAction);
  const feedback = useActionFeedback(state);
  const [leaving, setLeaving] = useState(false);
  const id = useId();
  useEffect(() => {
    if (state?.ok) {
      setLeaving(true);
      window.location.assign(state.data.redirectUrl);
    }
  }, [state]);
  const fieldErrors = feedback.field("instanceUrl");
  return (
    <Dialog.Root>
      <Dialog.Trigger className={buttonClass(variant)} aria-label={ariaLabel}>
        {label}
      </Dialog.Trigger>
      <ModalContent title={t("mastodon.title")} description={t("mastodon.description")}>
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <input type="hidden" name="network" value="mastodon" />
          <Field label={t("mastodon.instance")} htmlFor={id} hint={t("mastodon.instanceHint")} errors={fieldErrors}>
            <input id={id} name="instanceUrl" type="text" inputMode="url" autoComplete="url" autoCapitalize="none" spellCheck={false} required className={inputClass} placeholder="mastodon.social" />
          </Field>
          {feedback.message && !fieldErrors ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending || leaving}>
              {pending || leaving ? t("mastodon.working") : t("mastodon.submit")}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
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
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(connectBlueskyAction);
  const feedback = useActionFeedback(state);
  const ids = { identifier: useId(), password: useId(), pds: useId() };
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      router.replace("/connections?connected=bluesky");
    }
  }, [state, router]);
  const hasFieldErrors = Boolean(state && !state.ok && state.fieldErrors && Object.keys(state.fieldErrors).length > 0);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass(variant)} aria-label={ariaLabel}>
        {label}
      </Dialog.Trigger>
      <ModalContent title={t("bluesky.title")} description={t("bluesky.description")}>
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <p className="text-sm">
            <a href="https://bsky.app/settings/app-passwords" target="_blank" rel="noreferrer noopener" className="font-medium text-brand-700 underline">
              {t("bluesky.makeOne")}
            </a>{" "}
            <span className="text-slate-700">{t("bluesky.newTab")}</span>
          </p>
          <Field label={t("bluesky.identifier")} htmlFor={ids.identifier} hint={t("bluesky.identifierHint")} errors={feedback.field("identifier")}>
            <input
              id={ids.identifier}
              name="identifier"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              defaultValue={identifier}
              className={inputClass}
              placeholder="name.bsky.social"
            />
          </Field>
          <Field label={t("bluesky.appPassword")} htmlFor={ids.password} hint={t("bluesky.appPasswordHint")} errors={feedback.field("appPassword")}>
            <input
              id={ids.password}
              name="appPassword"
              type="password"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              className={inputClass}
              placeholder="xxxx-xxxx-xxxx-xxxx"
            />
          </Field>
          <Field label={t("bluesky.pds")} htmlFor={ids.pds} hint={t("bluesky.pdsHint")} errors={feedback.field("pdsUrl")}>
            <input id={ids.pds} name="pdsUrl" type="text" inputMode="url" autoCapitalize="none" spellCheck={false} defaultValue={pdsUrl} className={inputClass} />
          </Field>
          {feedback.message && !hasFieldErrors ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending}>
              {pending ? t("bluesky.working") : t("bluesky.submit")}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

/** Disconnect, after a confirmation that says what happens. */
export function DisconnectButton({ connectionId, handle, networkLabel }: { connectionId: string; handle: string; networkLabel: string }) {
  const t = useTranslations("connections");
  const word = useErrorWord();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-start gap-1">
      <AlertDialog.Root>
        <AlertDialog.Trigger className={buttonClass("secondary")} aria-label={t("disconnectAccount", { handle })}>
          {t("disconnect")}
        </AlertDialog.Trigger>
        <ConfirmContent title={t("disconnectConfirm.title", { handle })} description={t("disconnectConfirm.description", { network: networkLabel })}>
          <AlertDialog.Cancel className={buttonClass("secondary")}>{t("cancel")}</AlertDialog.Cancel>
          <AlertDialog.Action
            className={buttonClass("danger")}
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                setError(null);
                const result = await disconnectAction({ connectionId });
                if (result.ok) router.replace(`/connections?disconnected=${encodeURIComponent(handle)}`);
                else setError(word(result.error));
              })
            }
          >
            {pending ? t("disconnectConfirm.working") : t("disconnectConfirm.confirm")}
          </AlertDialog.Action>
        </ConfirmContent>
      </AlertDialog.Root>
      {error ? (
        <p role="alert" className="text-sm text-red-800">
          {error}
        </p>
      ) : null}
    </div>
  );
}
