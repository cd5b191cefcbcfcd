"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { ApiTokenRow } from "@/lib/auth/api-tokens";
import { DataTable, type Column } from "../../../_components/data-table";
import { FormDialog } from "../../../_components/form-dialog";
import { ConfirmDialog } from "../../../_components/modal";
import { Badge, Button, EmptyState, Field, ManagedList, inputClass } from "../../../_components/ui";
import { useNotice, type Report } from "../../../_components/use-notice";
import type { IsoDates } from "../../../_components/wire";
import { revokeTokenAction } from "../../admin/api-tokens/actions";
import { createOwnTokenAction, revokeOwnTokenAction } from "./actions";

export type TokenItem = IsoDates<ApiTokenRow, "createdAt" | "lastUsedAt" | "expiresAt" | "revokedAt">;
type Created = { token: string; name: string; prefix: string };

const statusTone = { active: "green", expired: "amber", revoked: "slate" } as const;

function CreateDialog({ dayChoices, defaultDays, onCreated }: { dayChoices: readonly number[]; defaultDays: number; onCreated: (created: Created) => void }) {
  const t = useTranslations("apiTokens");
  const ids = { name: useId(), days: useId() };
  return (
    <FormDialog
      trigger={t("create")}
      triggerVariant="primary"
      title={t("createTitle")}
      description={t("createDescription")}
      action={createOwnTokenAction}
      onSuccess={onCreated}
      submitLabel={t("createSubmit")}
      cancelLabel={t("cancel")}
    >
      {(field) => (
        <>
          <Field label={t("name")} htmlFor={ids.name} hint={t("nameHint")} errors={field("name")}>
            <input id={ids.name} name="name" required maxLength={80} autoComplete="off" className={inputClass} />
          </Field>
          <Field label={t("expiry")} htmlFor={ids.days} hint={t("expiryHint")} errors={field("days")}>
            <select id={ids.days} name="days" defaultValue={String(defaultDays)} className={inputClass}>
              {dayChoices.map((days) => (
                <option key={days} value={days}>
                  {t("days", { days })}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
    </FormDialog>
  );
}

/** The new token, once: a copy button and the warning that it will not be shown again. */
function NewToken({ created, onDone }: { created: Created; onDone: () => void }) {
  const t = useTranslations("apiTokens");
  const id = useId();
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="new-api-token">
      <h2 id={`${id}-title`} className="font-semibold text-slate-900">
        {t("newTitle", { name: created.name })}
      </h2>
      <p className="mt-1 text-sm text-slate-900">{t("newWarning")}</p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor={id} className="sr-only">
          {t("newLabel")}
        </label>
        <input id={id} readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} className={`${inputClass} font-mono`} spellCheck={false} />
        <Button
          variant="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(created.token);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {t("copy")}
        </Button>
      </div>
      <p aria-live="polite" className="mt-2 text-sm text-slate-900">
        {copied === true ? t("copied") : copied === false ? t("copyFailed") : null}
      </p>
      <div className="mt-2">
        <Button variant="ghost" onClick={onDone}>
          {t("stored")}
        </Button>
      </div>
    </section>
  );
}

function RevokeButton({ token, admin, report }: { token: TokenItem; admin: boolean; report: Report }) {
  const t = useTranslations("apiTokens");
  return (
    <ConfirmDialog
      trigger={t("revoke")}
      triggerLabel={t("revokeLabel", { name: token.name })}
      title={t("revokeTitle", { name: token.name })}
      description={admin ? t("revokeBodyAdmin", { owner: token.ownerName ?? token.ownerEmail }) : t("revokeBody")}
      cancelLabel={t("cancel")}
      confirmLabel={t("revoke")}
      onConfirm={async () => report(await (admin ? revokeTokenAction : revokeOwnTokenAction)({ tokenId: token.id }), t("revoked", { name: token.name }))}
    />
  );
}

/**
 * API tokens in a table: the member's own (create and revoke) or, for an admin, every
 * token of the organisation with its owner (revoke). Only the prefix of a token is ever shown
 * again after it was made.
 */
export function ApiTokensManager({
  tokens,
  mode,
  dayChoices = [],
  defaultDays = 90,
}: {
  tokens: TokenItem[];
  mode: "own" | "organisation";
  dayChoices?: readonly number[];
  defaultDays?: number;
}) {
  const t = useTranslations("apiTokens");
  const format = useFormatter();
  const { report, status } = useNotice();
  const [created, setCreated] = useState<Created | null>(null);
  const admin = mode === "organisation";
  const date = (iso: string | null, none: string) => (iso ? <time dateTime={iso}>{format.dateTime(new Date(iso), { dateStyle: "medium" })}</time> : none);
  const columns: Array<Column<TokenItem>> = [
    {
      key: "name",
      header: t("name"),
      rowHeader: true,
      className: "font-medium text-slate-900",
      cell: (token) => (
        <>
          <div className="break-words">{token.name}</div>
          <div className="font-mono text-xs font-normal text-slate-700">{token.prefix}…</div>
        </>
      ),
    },
    ...(admin
      ? [
          {
            key: "owner",
            header: t("owner"),
            cell: (token: TokenItem) => (
              <>
                <div className="text-slate-900">{token.ownerName ?? token.ownerEmail}</div>
                {token.ownerName ? <div className="text-xs text-slate-700">{token.ownerEmail}</div> : null}
              </>
            ),
          },
        ]
      : []),
    { key: "created", header: t("created"), className: "whitespace-nowrap text-slate-800", cell: (token) => date(token.createdAt, "—") },
    { key: "lastUsed", header: t("lastUsed"), className: "whitespace-nowrap text-slate-800", cell: (token) => date(token.lastUsedAt, t("never")) },
    { key: "expires", header: t("expires"), className: "whitespace-nowrap text-slate-800", cell: (token) => date(token.expiresAt, t("noExpiry")) },
    { key: "status", header: t("status"), cell: (token) => <Badge tone={statusTone[token.status]}>{t(`statuses.${token.status}`)}</Badge> },
    {
      key: "actions",
      header: t("actions"),
      hiddenHeader: true,
      cell: (token) => (token.status === "revoked" ? null : <RevokeButton token={token} admin={admin} report={report} />),
    },
  ];
  return (
    <ManagedList
      status={status}
      actions={
        admin ? null : (
          <CreateDialog
            dayChoices={dayChoices}
            defaultDays={defaultDays}
            onCreated={(data) => {
              setCreated(data);
            }}
          />
        )
      }
    >
      {created ? <NewToken created={created} onDone={() => setCreated(null)} /> : null}
      <DataTable
        caption={t("title")}
        columns={columns}
        rows={tokens}
        rowKey={(token) => token.id}
        rowProps={(token) => ({ "data-testid": `api-token-${token.prefix}` })}
        empty={<EmptyState title={admin ? t("emptyOrganisation") : t("empty")} />}
      />
    </ManagedList>
  );
}
