import { and, eq, lt, sql } from "drizzle-orm";
import { storedReports } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { envFor } from "@/lib/env";
import type { ReportQuery, TeamReport } from "./schemas";

/**
 * Reports kept made. A whole large organisation's report takes longer to make than a manager
 * should wait (npm run bench -- report org: about 250 ms for 100,000 people), and it is the
 * same for everyone who may see it. A report that took longer than REPORT_STORE_AFTER_MS
 * (default 150 ms) is stored when made; while it is at most SERVED_FOR_MS old, the next readers
 * get it (after their own authorisation, which never comes from here) with "figures as of"
 * when it was made; the workers make every stored report read in the last day again each
 * minute (`remakeStoredReports`), and drop the others. A change to who is in a team, who may
 * be shown or the team tree deletes the organisation's stored reports at once (migration 0026's
 * triggers): only new clicks and shares wait for the next minute.
 */

/** A stored report older than this is made afresh by its reader. */
export const SERVED_FOR_MS = 5 * 60_000;
/** The workers make again the stored reports older than this (every minute, a little slack). */
export const REMADE_AFTER_MS = 45_000;
/** A stored report nobody read for this long is dropped instead of made again. */
export const UNREAD_FOR_MS = 24 * 60 * 60_000;

/** What a report answers besides its team: range, period and network. */
export function questionOf(query: Pick<ReportQuery, "from" | "to" | "period" | "network">): string {
  return `${query.from} ${query.to} ${query.period} ${query.network ?? "all"}`;
}

export function queryOf(question: string): Pick<ReportQuery, "from" | "to" | "period" | "network"> {
  const [from, to, period, network] = question.split(" ");
  return { from: from!, to: to!, period: period as ReportQuery["period"], ...(network === "all" ? {} : { network: network as ReportQuery["network"] }) };
}

export function storeAfterMs(): number {
  return envFor(["REPORT_STORE_AFTER_MS"]).REPORT_STORE_AFTER_MS;
}

/**
 * The stored report, if one at most SERVED_FOR_MS old is kept; one statement, which also marks
 * it read (at most every ten minutes, so reading is not a write each time).
 */
export async function storedReport(db: DbOrTx, orgId: string, teamId: string, question: string): Promise<TeamReport | null> {
  const rows = await db.execute<{ report: TeamReport; as_of: string }>(sql`
    with hit as (
      select report, as_of from stored_reports
      where org_id = ${orgId} and team_id = ${teamId} and question = ${question}
        and as_of > now() - make_interval(secs => ${SERVED_FOR_MS / 1000})
    ), touched as (
      update stored_reports set read_at = now()
      where org_id = ${orgId} and team_id = ${teamId} and question = ${question}
        and read_at < now() - interval '10 minutes' and exists (select from hit)
    )
    select report, to_json(as_of)#>>'{}' as as_of from hit`);
  const row = rows[0];
  return row ? { ...row.report, asOf: new Date(row.as_of).toISOString() } : null;
}

/** Keeps a report just made (replacing the one kept); its `asOf` is the replica's moment when it came from one. */
export async function storeReport(db: DbOrTx, orgId: string, teamId: string, question: string, report: TeamReport, madeInMs: number, madeAt: Date): Promise<void> {
  const asOf = report.asOf ? new Date(report.asOf) : madeAt;
  const values = { orgId, teamId, question, report: { ...report, asOf: null }, asOf, madeInMs: Math.round(madeInMs) };
  await db
    .insert(storedReports)
    .values(values)
    .onConflictDoUpdate({ target: [storedReports.orgId, storedReports.teamId, storedReports.question], set: { report: values.report, asOf, madeInMs: values.madeInMs } });
}

export type StoredKey = { orgId: string; teamId: string; question: string };

/**
 * Every minute, in the workers: drops the stored reports nobody read for a day and makes the
 * others again, oldest first, with `make` (the report as an admin of the organisation would
 * see it, made and stored by teamReport). One that cannot be made (its team gone meanwhile) is
 * dropped. Returns how many were made and dropped.
 */
export async function remakeStoredReports(db: DbOrTx, make: (key: StoredKey) => Promise<unknown>, now = new Date()): Promise<{ remade: number; dropped: number; failed: number }> {
  const dropped = await db
    .delete(storedReports)
    .where(lt(storedReports.readAt, new Date(now.getTime() - UNREAD_FOR_MS)))
    .returning({ orgId: storedReports.orgId });
  const due = await db
    .select({ orgId: storedReports.orgId, teamId: storedReports.teamId, question: storedReports.question })
    .from(storedReports)
    .where(lt(storedReports.asOf, new Date(now.getTime() - REMADE_AFTER_MS)))
    .orderBy(storedReports.asOf);
  let remade = 0;
  let failed = 0;
  for (const key of due) {
    try {
      await make(key);
      remade += 1;
    } catch {
      failed += 1;
      await db.delete(storedReports).where(and(eq(storedReports.orgId, key.orgId), eq(storedReports.teamId, key.teamId), eq(storedReports.question, key.question)));
    }
  }
  return { remade, dropped: dropped.length, failed };
}
