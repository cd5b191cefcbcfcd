import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { listAuditLog } from "@/lib/audit";
import { requireMember } from "@/lib/auth/guard";
import { DataTable } from "../../../_components/data-table";
import { ButtonLink, EmptyState, PageHeader } from "../../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.audit"))("title") };
}

const PAGE = 50;

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-700">—</span>;
  return <pre className="max-w-md overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs text-slate-900">{JSON.stringify(value, null, 2)}</pre>;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.audit");
  const format = await getFormatter();
  const before = Number((await searchParams).before);
  const rows = await listAuditLog(ctx.db, ctx.scope, { before: Number.isSafeInteger(before) && before > 0 ? before : undefined, limit: PAGE });
  const last = rows.at(-1);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <DataTable
        caption={t("title")}
        rows={rows}
        rowKey={(row) => String(row.id)}
        empty={<EmptyState title={t("empty")} />}
        columns={[
          {
            key: "when",
            header: t("when"),
            className: "whitespace-nowrap text-slate-800",
            cell: (row) => <time dateTime={row.createdAt.toISOString()}>{format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "medium" })}</time>,
          },
          { key: "who", header: t("who"), className: "text-slate-900", cell: (row) => row.actorName ?? row.actorEmail ?? t(`actors.${row.actorKind === "cli" ? "cli" : "system"}`) },
          {
            key: "what",
            header: t("what"),
            cell: (row) => (
              <>
                <div className="font-mono text-xs text-slate-900">{row.action}</div>
                <div className="text-xs text-slate-700">
                  {row.targetType} {row.targetId}
                </div>
              </>
            ),
          },
          {
            key: "change",
            header: t("change"),
            cell: (row) => (
              <details>
                <summary className="cursor-pointer text-brand-700">{t("details")}</summary>
                <div className="mt-2 grid gap-2 md:grid-cols-2">
                  <div>
                    <div className="text-xs font-semibold text-slate-800">{t("before")}</div>
                    <Json value={row.before} />
                  </div>
                  <div>
                    <div className="text-xs font-semibold text-slate-800">{t("after")}</div>
                    <Json value={row.after} />
                  </div>
                </div>
              </details>
            ),
          },
        ]}
      />
      {rows.length === PAGE && last ? (
        <div className="mt-4 flex justify-end">
          <ButtonLink href={`/admin/audit?before=${last.id}`}>{t("older")}</ButtonLink>
        </div>
      ) : null}
    </>
  );
}
