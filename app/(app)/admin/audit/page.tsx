import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { auditActions, auditActors, auditFilterSchema, auditWords, readAuditLog, type AuditFilter, type Words } from "@/lib/audit";
import { requireMember } from "@/lib/auth/guard";
import { DataTable } from "../../../_components/data-table";
import { ButtonLink, EmptyState, FilterBar, FilterField, FormAlert, PageHeader, buttonClass, inputClass } from "../../../_components/ui";
import { timeZoneOf } from "../../time-zone";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.audit"))("title") };
}

const PAGE = 50;

type Search = { before?: string; person?: string; action?: string; from?: string; to?: string };

function query(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) if (value) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The organisation's audit log in words: who did what to which thing, what changed; filtered, and as CSV. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.audit");
  const words = (await getTranslations()) as unknown as Words;
  const format = await getFormatter();
  const search = await searchParams;
  const parsed = auditFilterSchema.safeParse({ person: search.person, action: search.action, from: search.from, to: search.to });
  const filter: AuditFilter = parsed.success ? parsed.data : {};
  const before = Number(search.before);
  const timeZone = await timeZoneOf(ctx);
  const [rows, people] = await Promise.all([
    readAuditLog(ctx.db, ctx.scope, { filter, timeZone, before: Number.isSafeInteger(before) && before > 0 ? before : undefined, limit: PAGE }),
    auditActors(ctx.db, ctx.scope),
  ]);
  const last = rows.at(-1);
  const filtered = Object.values(filter).some(Boolean);
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <a href={`/admin/audit/export${query(filter)}`} download className={buttonClass("secondary")}>
            {t("export")}
          </a>
        }
      />
      <FilterBar label={t("filters")} action="/admin/audit" submitLabel={t("apply")} extra={filtered ? <ButtonLink href="/admin/audit">{t("reset")}</ButtonLink> : null}>
        <FilterField label={t("person")} htmlFor="audit-person">
          <select id="audit-person" name="person" defaultValue={filter.person ?? ""} className={inputClass}>
            <option value="">{t("anyone")}</option>
            {people.map((p) => (
              <option key={p.userId} value={p.userId}>
                {p.name}
              </option>
            ))}
          </select>
        </FilterField>
        <FilterField wide label={t("action")} htmlFor="audit-action">
          <select id="audit-action" name="action" defaultValue={filter.action ?? ""} className={inputClass}>
            <option value="">{t("anyAction")}</option>
            {auditActions.map((action) => (
              <option key={action} value={action}>
                {words(`auditLog.actions.${action}`)}
              </option>
            ))}
          </select>
        </FilterField>
        <FilterField label={t("from")} htmlFor="audit-from">
          <input id="audit-from" name="from" type="date" defaultValue={filter.from ?? search.from ?? ""} className={inputClass} />
        </FilterField>
        <FilterField label={t("to")} htmlFor="audit-to">
          <input id="audit-to" name="to" type="date" defaultValue={filter.to ?? search.to ?? ""} className={inputClass} />
        </FilterField>
      </FilterBar>
      {parsed.success ? null : <FormAlert boxed className="mb-4" message={parsed.error.issues.map((i) => (words.has(`errors.${i.message}`) ? words(`errors.${i.message}`) : i.message))} />}
      <DataTable
        caption={t("title")}
        rows={rows}
        rowKey={(row) => String(row.id)}
        rowProps={(row) => ({ "data-testid": `audit-${row.id}` })}
        empty={<EmptyState title={filtered ? t("noMatch") : t("empty")} />}
        columns={[
          {
            key: "when",
            header: t("when"),
            className: "whitespace-nowrap text-slate-800",
            cell: (row) => <time dateTime={row.createdAt.toISOString()}>{format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "short", timeZone })}</time>,
          },
          { key: "who", header: t("who"), className: "text-slate-900", cell: (row) => auditWords(row, words).who },
          {
            key: "what",
            header: t("what"),
            cell: (row) => {
              const w = auditWords(row, words);
              return (
                <>
                  <div className="text-slate-900">{w.what}</div>
                  {w.target ? (
                    <div className="text-xs text-slate-700">
                      {w.kind}: <span className="font-medium text-slate-900">{w.target}</span>
                    </div>
                  ) : null}
                </>
              );
            },
          },
          {
            key: "change",
            header: t("change"),
            cell: (row) => {
              const { changes } = auditWords(row, words);
              return changes.length === 0 ? (
                <span className="text-slate-700">—</span>
              ) : (
                <ul className="space-y-1 text-xs text-slate-900">
                  {changes.map((c) => (
                    <li key={c.field} className="break-words">
                      {t("changeTo", { field: c.field, from: c.from, to: c.to })}
                    </li>
                  ))}
                </ul>
              );
            },
          },
        ]}
      />
      {rows.length === PAGE && last ? (
        <div className="mt-4 flex justify-end">
          <ButtonLink href={`/admin/audit${query(filter, { before: String(last.id) })}`}>{t("older")}</ButtonLink>
        </div>
      ) : null}
    </>
  );
}
