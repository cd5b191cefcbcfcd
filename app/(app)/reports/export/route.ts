import { route } from "@/lib/auth/guard";
import { db, withReportsRead } from "@/lib/db";
import { defaultLocale, isLocale, LOCALE_COOKIE, negotiateLocale, type Locale } from "@/lib/i18n/locales";
import { CSV_BOM, csvFileName, reportCsv, reportExportQuerySchema, teamReport } from "@/lib/reports";
import { getUserPreferences } from "@/lib/users";

/**
 * GET /reports/export?table=…&teamId=…&from=…&to=…&period=…: one table of a team report as
 * a CSV download for managers and admins, in the reader's language (as the pages choose
 * it). The same report as the page, so suppressed groups stay suppressed here too.
 */
export const dynamic = "force-dynamic";

/** The page's rule: the language cookie, else the person's saved choice, the browser's, the organisation's, Danish. */
async function readerLocale(request: Request, userId: string, orgId: string): Promise<Locale> {
  const cookie = (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => part.trim().split("="))
    .find(([name]) => name === LOCALE_COOKIE)?.[1];
  if (isLocale(cookie)) return cookie;
  const prefs = await getUserPreferences(db(), userId, orgId);
  return prefs.locale ?? negotiateLocale(request.headers.get("accept-language")) ?? prefs.orgLocale ?? defaultLocale;
}

export const GET = route(
  { roles: ["manager", "admin"], auth: "session", onUnauthenticated: "redirect", query: reportExportQuerySchema },
  async ({ request, ctx, query }) => {
    const { table, ...question } = query;
    const report = await withReportsRead((source) => teamReport(db(), ctx.scope, { userId: ctx.userId, roles: ctx.roles }, question, source));
    const csv = reportCsv(report, table, await readerLocale(request, ctx.userId, ctx.orgId));
    return new Response(CSV_BOM + csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${csvFileName(report, table)}"`,
        // Figures about people: not kept by shared caches or the browser's back-forward cache.
        "cache-control": "private, no-store",
      },
    });
  },
);
