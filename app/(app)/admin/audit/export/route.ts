import { AUDIT_CSV_BOM, auditCsv, auditFilterSchema, readAuditLog } from "@/lib/audit";
import { route } from "@/lib/auth/guard";
import { defaultLocale, isLocale, LOCALE_COOKIE, negotiateLocale, type Locale } from "@/lib/i18n/locales";
import { getOrganizationSettings } from "@/lib/orgs";
import { getUserPreferences } from "@/lib/users";

/**
 * GET /admin/audit/export?person=…&action=…&from=…&to=…: the audit entries the page's filters
 * select, as CSV in the reader's language, for admins of the organisation only.
 */
export const dynamic = "force-dynamic";

/** At most this many entries in one file: a longer period is exported in parts. */
const MAX_ROWS = 50_000;

export const GET = route(
  { roles: ["admin"], auth: "session", onUnauthenticated: "redirect", query: auditFilterSchema },
  async ({ request, ctx, query }) => {
    const prefs = await getUserPreferences(ctx.db, ctx.userId, ctx.orgId);
    const timeZone = prefs.timeZone ?? (await getOrganizationSettings(ctx.db, ctx.orgId)).timeZone;
    const cookie = (request.headers.get("cookie") ?? "")
      .split(";")
      .map((part) => part.trim().split("="))
      .find(([name]) => name === LOCALE_COOKIE)?.[1];
    const locale: Locale = isLocale(cookie) ? cookie : (prefs.locale ?? negotiateLocale(request.headers.get("accept-language")) ?? prefs.orgLocale ?? defaultLocale);
    const rows = await readAuditLog(ctx.db, ctx.scope, { filter: query, timeZone, limit: MAX_ROWS });
    return new Response(AUDIT_CSV_BOM + auditCsv(rows, locale), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="audit-log.csv"`,
        "cache-control": "private, no-store",
      },
    });
  },
);
