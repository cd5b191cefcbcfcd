"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { Button, LiveStatus } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { subscribePushAction, unsubscribePushAction } from "./push-actions";

type State = "checking" | "unsupported" | "denied" | "on" | "off";

/** The VAPID public key (base64url) as the bytes pushManager.subscribe wants. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  return navigator.serviceWorker.ready;
}

/**
 * Push notifications on this browser: asks for permission, subscribes with the server's
 * VAPID key and stores the subscription; turning off deletes it here and on the server.
 */
export function PushToggle({ publicKey }: { publicKey: string | null }) {
  const t = useTranslations("push.settings");
  const words = useErrorWords();
  const [state, setState] = useState<State>("checking");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ success?: string; error?: string }>({});

  useEffect(() => {
    if (!publicKey) return;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return void setState("unsupported");
    if (Notification.permission === "denied") return void setState("denied");
    registration()
      .then((reg) => reg.pushManager.getSubscription())
      .then(async (subscription) => {
        if (!subscription || Notification.permission !== "granted") return setState("off");
        // Made with another key (the installation's keys changed): useless now, so start afresh.
        const key = subscription.options?.applicationServerKey;
        if (key && !sameBytes(new Uint8Array(key), keyBytes(publicKey))) {
          await subscription.unsubscribe();
          return setState("off");
        }
        setState("on");
      })
      .catch(() => setState("off"));
  }, [publicKey]);

  if (!publicKey) return <p className="text-sm text-slate-700">{t("off")}</p>;
  if (state === "unsupported" || state === "denied") return <p className="text-sm text-slate-700">{t(state)}</p>;

  const turnOn = async () => {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      setState(permission === "denied" ? "denied" : "off");
      return;
    }
    const reg = await registration();
    const subscription = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
    const result = await subscribePushAction(subscription.toJSON() as never);
    if (!result.ok) {
      await subscription.unsubscribe();
      throw new Error(words(result.error));
    }
    setState("on");
    setMessage({ success: t("enabled") });
  };

  const turnOff = async () => {
    const reg = await registration();
    const subscription = await reg.pushManager.getSubscription();
    if (subscription) {
      const result = await unsubscribePushAction({ endpoint: subscription.endpoint });
      if (!result.ok) throw new Error(words(result.error));
      await subscription.unsubscribe();
    }
    setState("off");
    setMessage({ success: t("disabled") });
  };

  const run = (work: () => Promise<void>) => async () => {
    setBusy(true);
    setMessage({});
    try {
      await work();
    } catch (error) {
      setMessage({ error: t("failed", { reason: error instanceof Error ? error.message : String(error) }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-wrap items-center gap-4">
      {state === "on" ? (
        <Button type="button" variant="secondary" disabled={busy} onClick={run(turnOff)}>
          {busy ? t("working") : t("disable")}
        </Button>
      ) : (
        <Button type="button" disabled={busy || state === "checking"} onClick={run(turnOn)}>
          {busy ? t("working") : t("enable")}
        </Button>
      )}
      <LiveStatus success={message.success} error={message.error} />
    </div>
  );
}
