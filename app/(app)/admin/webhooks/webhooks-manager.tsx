"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useTransition } from "react";
import type { ChatWebhook, ChatWebhookKind } from "@/lib/webhooks/manage";
import { FormDialog } from "../../../_components/form-dialog";
import { ConfirmDialog } from "../../../_components/modal";
import { Badge, Button, EmptyState, Field, LiveStatus, ManagedList, inputClass } from "../../../_components/ui";
import { useNotice, type Notify, type Report } from "../../../_components/use-notice";
import type { IsoDates } from "../../../_components/wire";
import { createWebhookAction, deleteWebhookAction, setWebhookActiveAction, testWebhookAction } from "./actions";

type Hook = IsoDates<Pick<ChatWebhook, "id" | "kind" | "urlHint" | "active" | "lastError" | "lastDeliveryAt">, "lastDeliveryAt">;

function AddDialog({ kinds, onDone }: { kinds: readonly ChatWebhookKind[]; onDone: Notify }) {
  const t = useTranslations("admin.webhooks");
  const ids = { kind: useId(), url: useId() };
  return (
    <FormDialog
      trigger={t("add")}
      triggerVariant="primary"
      title={t("addTitle")}
      description={t("addDescription")}
      action={createWebhookAction}
      onSuccess={() => onDone(t("created"))}
      submitLabel={t("create")}
      cancelLabel={t("cancel")}
    >
      {(field) => (
        <>
          <Field label={t("kind")} htmlFor={ids.kind} errors={field("kind")}>
            <select id={ids.kind} name="kind" defaultValue={kinds[0]} className={inputClass}>
              {kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`kinds.${kind}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("url")} htmlFor={ids.url} hint={t("urlHint")} errors={field("url")}>
            <input id={ids.url} name="url" type="url" inputMode="url" required autoComplete="off" spellCheck={false} placeholder="https://" className={inputClass} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

function HookItem({ hook, notify, report, status }: { hook: Hook; notify: Notify; report: Report; status: { success: string | null; error: string | null } }) {
  const t = useTranslations("admin.webhooks");
  const format = useFormatter();
  const [pending, startTransition] = useTransition();
  const name = `${t(`kinds.${hook.kind}`)} (${hook.urlHint})`;
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
          <LiveStatus {...status} />
        </div>
        <div role="group" aria-label={t("actionsFor", { name })} className="flex flex-wrap gap-2 sm:justify-end">
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const result = await testWebhookAction({ webhookId: hook.id });
                // A delivery that failed is a result, not a refused action: it says what the channel answered.
                if (result.ok && !result.data.ok) notify(t("testFailed", { error: result.data.error }), true, hook.id);
                else report(result, t("testSent"), hook.id);
              })
            }
          >
            {t("test")}
          </Button>
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() => startTransition(async () => report(await setWebhookActiveAction({ webhookId: hook.id, active: !hook.active }), (data) => (data.active ? t("enabled") : t("disabled")), hook.id))}
          >
            {hook.active ? t("disable") : t("enable")}
          </Button>
          <ConfirmDialog
            trigger={t("remove")}
            title={t("removeTitle")}
            description={t("removeBody")}
            cancelLabel={t("cancel")}
            confirmLabel={t("remove")}
            onConfirm={async () => report(await deleteWebhookAction({ webhookId: hook.id }), t("removed"))}
          />
        </div>
      </div>
    </li>
  );
}

/** The organisation's Slack and Teams webhooks: add, pause or turn on, test, remove; `kinds` are lib's. */
export function WebhooksManager({ webhooks, kinds }: { webhooks: Hook[]; kinds: readonly ChatWebhookKind[] }) {
  const t = useTranslations("admin.webhooks");
  const { notify, report, status, statusAt } = useNotice();
  return (
    <ManagedList actions={<AddDialog kinds={kinds} onDone={notify} />} status={status}>
      {webhooks.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <ul className="grid gap-3">
          {webhooks.map((hook) => (
            <HookItem key={hook.id} hook={hook} notify={notify} report={report} status={statusAt(hook.id)} />
          ))}
        </ul>
      )}
    </ManagedList>
  );
}
