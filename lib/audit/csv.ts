import { stringify } from "csv-stringify/sync";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import type { ReadableAuditRow } from "./read";

/** Prepended by whoever serves the file: Excel otherwise guesses a legacy code page. */
export const AUDIT_CSV_BOM = "\uFEFF";

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made plain text. */
export function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A translator looked up by keys built at run time (action codes, field names): has() then say. */
export type Words = { (key: string): string; has(key: string): boolean };

/** The words of one entry, shared by the page and the CSV: who, what, about which thing, what changed. */
export function auditWords(row: ReadableAuditRow, t: Words) {
  const who = row.actor.kind === "member" ? row.actor.name : t(`auditLog.actors.${row.actor.kind}`);
  const what = row.known ? t(`auditLog.actions.${row.action}`) : row.action;
  const kind = t.has(`auditLog.targets.${row.target.type}`) ? t(`auditLog.targets.${row.target.type}`) : row.target.type;
  const deleted = t.has(`auditLog.deleted.${row.target.type}`) ? t(`auditLog.deleted.${row.target.type}`) : t("auditLog.deleted.other");
  const target = row.target.deleted ? (row.target.name ? `${row.target.name} (${deleted})` : deleted) : (row.target.name ?? "");
  const field = (name: string) => (t.has(`auditLog.fields.${name}`) ? t(`auditLog.fields.${name}`) : name);
  const changes = row.changes.map((c) => ({ field: field(c.field), from: c.from ?? "—", to: c.to ?? "—" }));
  return { who, what, kind, target, changes };
}

/** The filtered entries as CSV in the reader's language (Danish: ";" as Excel expects), every text cell formula-safe. */
export function auditCsv(rows: ReadableAuditRow[], locale: Locale): string {
  const t = translator(locale) as unknown as Words;
  const header = ["when", "who", "action", "what", "targetType", "target", "changes"].map((key) => t(`auditLog.csv.${key}`));
  const lines = rows.map((row) => {
    const words = auditWords(row, t);
    return [
      row.createdAt.toISOString(),
      words.who,
      row.action,
      words.what,
      words.kind,
      words.target,
      words.changes.map((c) => `${c.field}: ${c.from} → ${c.to}`).join("; "),
    ].map(csvSafe);
  });
  return stringify([header, ...lines], { delimiter: locale === "da" ? ";" : ",", record_delimiter: "\r\n" });
}
