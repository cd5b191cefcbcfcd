import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { listAuditLog } from "@/lib/audit";
import { requireMember } from "@/lib/auth/guard";
import { EmptyState, PageHeader, buttonClass } from "../../../_components/ui";

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
      {rows.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("title")}</caption>
            <thead className="bg-slate-50 text-slate-800">
              <tr>
                <th scope="col" className="px-4 py-3 font-semibold">{t("when")}</th>
                <th scope="col" className="px-4 py-3 font-semibold">{t("who")}</th>
                <th scope="col" className="px-4 py-3 font-semibold">{t("what")}</th>
                <th scope="col" className="px-4 py-3 font-semibold">{t("change")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 align-top">
              {rows.map((row) => (
                <tr key={row.id}>
                  <td className="whitespace-nowrap px-4 py-3 text-slate-800">
                    <time dateTime={row.createdAt.toISOString()}>{format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "medium" })}</time>
                  </td>
                  <td className="px-4 py-3 text-slate-900">{row.actorName ?? row.actorEmail ?? t(`actors.${row.actorKind === "cli" ? "cli" : "system"}`)}</td>
                  <td className="px-4 py-3">
                    <div className="font-mono text-xs text-slate-900">{row.action}</div>
                    <div className="text-xs text-slate-700">
                      {row.targetType} {row.targetId}
                    </div>
                  </td>
                  <td className="px-4 py-3">
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length === PAGE && last ? (
        <div className="mt-4 flex justify-end">
          <Link href={`/admin/audit?before=${last.id}`} className={buttonClass("secondary")}>
            {t("older")}
          </Link>
        </div>
      ) : null}
    </>
  );
}
