"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { roleIds } from "@/lib/auth/roles";
import type { DirectoryGroupRow, ScimTokenStatus } from "@/lib/scim";
import { DataTable } from "../../../_components/data-table";
import { ConfirmDialog } from "../../../_components/modal";
import { Badge, Button, EmptyState, LiveStatus, Section, inputClass } from "../../../_components/ui";
import { useNotice, type Report } from "../../../_components/use-notice";
import type { IsoDates } from "../../../_components/wire";
import { createScimTokenAction, mapDirectoryGroupAction, revokeScimTokenAction } from "./actions";

type Token = IsoDates<NonNullable<ScimTokenStatus>, "createdAt" | "lastUsedAt"> | null;
type Group = IsoDates<DirectoryGroupRow, "updatedAt">;
type TeamOption = { id: string; name: string; depth: number };

function targetOf(group: Group): string {
  return group.role ? `role:${group.role}` : group.teamId ? `team:${group.teamId}` : "none";
}

function MappingForm({ group, teams, report }: { group: Group; teams: TeamOption[]; report: Report }) {
  const t = useTranslations("admin.directory");
  const tr = useTranslations("roles");
  const id = useId();
  const [target, setTarget] = useState(targetOf(group));
  const [pending, startTransition] = useTransition();
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        startTransition(async () => report(await mapDirectoryGroupAction({ groupId: group.id, target }), t("mapped", { name: group.displayName })));
      }}
    >
      <label htmlFor={id} className="sr-only">
        {t("mappingFor", { name: group.displayName })}
      </label>
      <select id={id} value={target} onChange={(e) => setTarget(e.target.value)} className={`${inputClass} min-w-36 max-w-56`}>
        <option value="none">{t("unmapped")}</option>
        <optgroup label={t("roleGroup")}>
          {roleIds.map((role) => (
            <option key={role} value={`role:${role}`}>
              {tr(role)}
            </option>
          ))}
        </optgroup>
        {teams.length > 0 ? (
          <optgroup label={t("teamGroup")}>
            {teams.map((team) => (
              <option key={team.id} value={`team:${team.id}`}>
                {team.depth ? "\u00a0\u00a0".repeat(team.depth) : null}
                {team.name}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
      <Button type="submit" variant="secondary" disabled={pending || target === targetOf(group)}>
        {t("save")}
      </Button>
    </form>
  );
}

function TokenPanel({ baseUrl, token, report }: { baseUrl: string; token: Token; report: Report }) {
  const t = useTranslations("admin.directory");
  const format = useFormatter();
  const [fresh, setFresh] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const when = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short" });
  const create = () =>
    startTransition(async () => {
      const result = await createScimTokenAction({});
      if (result.ok) setFresh(result.data.token);
      report(result, t("tokenCreated"));
    });
  return (
    <Section id="scim-connection" title={t("connection")} description={t("connectionHelp")} card className="p-4">
      <dl className="grid gap-3 text-sm">
        <div>
          <dt className="font-medium text-slate-900">{t("baseUrl")}</dt>
          <dd className="break-all font-mono text-slate-800" data-testid="scim-base-url">
            {baseUrl}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-900">{t("token")}</dt>
          <dd className="text-slate-800">
            {token ? (
              <span className="flex flex-wrap items-center gap-2">
                <Badge tone="green">{t("inUse")}</Badge>
                <span className="font-mono">{token.prefix}…</span>
                <span>{t("createdAt", { date: when(token.createdAt) })}</span>
                <span>{token.lastUsedAt ? t("lastUsed", { date: when(token.lastUsedAt) }) : t("neverUsed")}</span>
              </span>
            ) : (
              t("noToken")
            )}
          </dd>
        </div>
      </dl>
      {fresh ? (
        <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" data-testid="scim-new-token">
          <p className="font-medium">{t("copyNow")}</p>
          <code className="mt-2 block select-all break-all rounded bg-white p-2 font-mono text-slate-900">{fresh}</code>
        </div>
      ) : null}
      <div className="mt-4 flex flex-wrap gap-2">
        {token ? (
          <>
            <ConfirmDialog
              trigger={t("newToken")}
              triggerVariant="secondary"
              title={t("newTokenTitle")}
              description={t("newTokenBody")}
              cancelLabel={t("cancel")}
              confirmLabel={t("newToken")}
              onConfirm={async () => create()}
            />
            <ConfirmDialog
              trigger={t("revoke")}
              title={t("revokeTitle")}
              description={t("revokeBody")}
              cancelLabel={t("cancel")}
              confirmLabel={t("revoke")}
              onConfirm={async () => {
                setFresh(null);
                report(await revokeScimTokenAction({}), t("revoked"));
              }}
            />
          </>
        ) : (
          <Button disabled={pending} onClick={create}>
            {t("createToken")}
          </Button>
        )}
      </div>
    </Section>
  );
}

/** Admin → Directory (SCIM): the address and token a directory provisions with, and its groups to map. */
export function DirectoryManager({ baseUrl, token, groups, teams }: { baseUrl: string; token: Token; groups: Group[]; teams: TeamOption[] }) {
  const t = useTranslations("admin.directory");
  const tr = useTranslations("roles");
  const { report, status } = useNotice();
  return (
    <div className="space-y-6">
      <LiveStatus {...status} boxed />
      <TokenPanel baseUrl={baseUrl} token={token} report={report} />
      <Section id="scim-groups" title={t("groups")} description={t("groupsHelp")}>
        <DataTable
          caption={t("groups")}
          rows={groups}
          rowKey={(g) => g.id}
          rowProps={(g) => ({ "data-testid": `directory-group-${g.id}` })}
          empty={<EmptyState title={t("noGroups")} />}
          columns={[
            {
              key: "name",
              header: t("group"),
              rowHeader: true,
              className: "font-medium text-slate-900 break-words",
              cell: (g) => (
                <>
                  <div>{g.displayName}</div>
                  <div className="text-xs font-normal text-slate-700 sm:hidden">{t("memberCount", { count: g.memberCount })}</div>
                  <div className="text-xs font-normal text-slate-700">
                    {g.role ? t("mappedToRole", { role: tr(g.role) }) : g.teamName ? t("mappedToTeam", { team: g.teamName }) : <Badge tone="amber">{t("unmapped")}</Badge>}
                  </div>
                </>
              ),
            },
            { key: "externalId", header: t("externalId"), hideBelow: "md", className: "break-all font-mono text-xs text-slate-700", cell: (g) => g.externalId ?? "—" },
            { key: "members", header: t("members"), numeric: true, hideBelow: "sm", cell: (g) => g.memberCount },
            { key: "mapping", header: t("mapping"), cell: (g) => <MappingForm group={g} teams={teams} report={report} /> },
          ]}
        />
      </Section>
    </div>
  );
}
