"use client";

import { AlertDialog, Dialog } from "radix-ui";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useId, useMemo, useState, useTransition } from "react";
import { ConfirmContent, ModalContent } from "../../../_components/modal";
import { Badge, Button, EmptyState, Field, buttonClass, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useFormAction } from "../../../_components/use-form-action";
import { createWebhookAction, deleteWebhookAction, setWebhookActiveAction, testWebhookAction } from "./actions";

type Hook = { id: string; kind: "slack" | "teams"; urlHint: string; active: boolean; lastError: string | null; lastDeliveryAt: string | null };
type Notify = (text: string, error?: boolean) => void;

function AddDialog({ onDone }: { onDone: Notify }) {
  const t = useTranslations("admin.webhooks");
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(createWebhookAction);
  const feedback = useActionFeedback(state);
  const ids = { kind: useId(), url: useId() };
  // Only a new result reports; re-renders must not repeat it.
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      onDone(t("created"));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("primary")}>{t("add")}</Dialog.Trigger>
      <ModalContent title={t("addTitle")} description={t("addDescription")}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field label={t("kind")} htmlFor={ids.kind} errors={feedback.field("kind")}>
            <select id={ids.kind} name="kind" defaultValue="slack" className={inputClass}>
              <option value="slack">{t("kinds.slack")}</option>
              <option value="teams">{t("kinds.teams")}</option>
            </select>
          </Field>
          <Field label={t("url")} htmlFor={ids.url} hint={t("urlHint")} errors={feedback.field("url")}>
            <input id={ids.url} name="url" type="url" inputMode="url" required autoComplete="off" spellCheck={false} placeholder="https://" className={inputClass} />
          </Field>
          {feedback.message ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending}>
              {t("create")}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

function HookItem({ hook, onDone }: { hook: Hook; onDone: Notify }) {
  const t = useTranslations("admin.webhooks");
  const te = useTranslations("errors");
  const format = useFormatter();
  const [pending, startTransition] = useTransition();
  const name = `${t(`kinds.${hook.kind}`)} (${hook.urlHint})`;
  const failed = (error: string) => onDone(te.has(error) ? te(error) : error, true);
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={`webhook-${hook.id}`}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium text-slate-900">{t(`kinds.${hook.kind}`)}</span>
            <Badge tone={hook.active ? "green" : "slate"}>{hook.active ? t("active") : t("paused")}</Badge>
          </div>
          <p className="break-all font-mono text-sm text-slate-700">{hook.urlHint}</p>
          <p className="text-sm text-slate-700">
            {hook.lastDeliveryAt ? t("lastDelivery", { date: format.dateTime(new Date(hook.lastDeliveryAt), { dateStyle: "medium", timeStyle: "short" }) }) : t("neverDelivered")}
          </p>
          {hook.lastError ? <p className="break-words text-sm text-red-800">{t("lastError", { error: hook.lastError })}</p> : null}
        </div>
        <div role="group" aria-label={t("actionsFor", { name })} className="flex flex-wrap gap-2 sm:justify-end">
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const result = await testWebhookAction({ webhookId: hook.id });
                if (!result.ok) failed(result.error);
                else if (result.data.ok) onDone(t("testSent"));
                else onDone(t("testFailed", { error: result.data.error }), true);
              })
            }
          >
            {t("test")}
          </Button>
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const result = await setWebhookActiveAction({ webhookId: hook.id, active: !hook.active });
                if (result.ok) onDone(result.data.active ? t("enabled") : t("disabled"));
                else failed(result.error);
              })
            }
          >
            {hook.active ? t("disable") : t("enable")}
          </Button>
          <AlertDialog.Root>
            <AlertDialog.Trigger className={buttonClass("ghost")}>{t("remove")}</AlertDialog.Trigger>
            <ConfirmContent title={t("removeTitle")} description={t("removeBody")}>
              <AlertDialog.Cancel className={buttonClass("secondary")}>{t("cancel")}</AlertDialog.Cancel>
              <AlertDialog.Action
                className={buttonClass("danger")}
                disabled={pending}
                onClick={() =>
                  startTransition(async () => {
                    const result = await deleteWebhookAction({ webhookId: hook.id });
                    if (result.ok) onDone(t("removed"));
                    else failed(result.error);
                  })
                }
              >
                {t("remove")}
              </AlertDialog.Action>
            </ConfirmContent>
          </AlertDialog.Root>
        </div>
      </div>
    </li>
  );
}

/** The organisation's Slack and Teams webhooks: add, pause or turn on, test, remove. */
export function WebhooksManager({ webhooks }: { webhooks: Hook[] }) {
  const t = useTranslations("admin.webhooks");
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const done = useMemo<Notify>(() => (text, error) => setNotice({ text, error }), []);
  return (
    <div className="space-y-4">
      <div className="flex justify-end">
        <AddDialog onDone={done} />
      </div>
      <div aria-live="polite">
        {notice ? <p className={notice.error ? "rounded-md bg-red-50 p-3 text-sm text-red-900" : "rounded-md bg-green-50 p-3 text-sm text-green-900"}>{notice.text}</p> : null}
      </div>
      {webhooks.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <ul className="grid gap-3">
          {webhooks.map((hook) => (
            <HookItem key={hook.id} hook={hook} onDone={done} />
          ))}
        </ul>
      )}
    </div>
  );
}
