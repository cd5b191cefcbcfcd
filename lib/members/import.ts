import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { memberships, users, type Locale, type Role } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { buildTeamTree, listTeams, type TeamNode } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { inviteMember, inviteMemberSchema, updateMember } from "./index";
import type { IssuedInvitationLink } from "./invitation-links";

/**
 * Members from a spreadsheet: a CSV with the columns email, name, team (a path such as
 * "Salg/Salg Øst") and roles ("employee;manager"). A preview says, line by line, who
 * would be invited, who changed and what is refused and why; applying checks the file
 * again on the server and changes nothing unless every line is fine. Each line goes
 * through the same schema and functions as a single invitation (inviteMember,
 * updateMember), in one transaction.
 */

export const IMPORT_MAX_BYTES = 256 * 1024;
export const IMPORT_MAX_ROWS = 500;
const COLUMNS = ["email", "name", "team", "roles"] as const;
const REQUIRED: readonly Column[] = ["email", "roles"];
type Column = (typeof COLUMNS)[number];

export const importFileSchema = z.object({ csv: z.string().max(IMPORT_MAX_BYTES * 2) });

/** Why a file or a line is refused: a message key (admin.import.reasons.*) and the value it names. */
export type ImportReason = { code: string; value?: string };

type Wanted = { email: string; name: string | null; teamId: string | null | undefined; teamPath: string | null; roles: Role[] };

export type ImportRow =
  | ({ line: number; kind: "create" } & Wanted)
  | ({ line: number; kind: "change"; membershipId: string; changes: Array<"name" | "team" | "roles"> } & Wanted)
  | ({ line: number; kind: "unchanged"; membershipId: string } & Wanted)
  | { line: number; kind: "refused"; email: string; reasons: ImportReason[] };

export type ImportPreview = {
  /** The whole file is refused (too large, unknown columns, not CSV): no rows then. */
  fileError: ImportReason | null;
  rows: ImportRow[];
  counts: { create: number; change: number; unchanged: number; refused: number };
  /** True only when the file is fine and every line is: otherwise nothing is applied. */
  canApply: boolean;
};

export type ImportResult =
  | { applied: true; created: Array<{ line: number; email: string; name: string | null; locale: Locale | null; link: IssuedInvitationLink }>; changed: number; unchanged: number }
  | { applied: false; preview: ImportPreview };

type ParsedLine = { line: number; cells: Partial<Record<Column, string>>; columnCountOk: boolean };

/** Reads the CSV: a header of known columns, then at most IMPORT_MAX_ROWS lines. */
function readCsv(csv: string): { error: ImportReason } | { columns: Column[]; lines: ParsedLine[] } {
  if (Buffer.byteLength(csv, "utf8") > IMPORT_MAX_BYTES) return { error: { code: "fileTooLarge", value: `${IMPORT_MAX_BYTES / 1024} KB` } };
  const text = csv.replace(/^\uFEFF/, "");
  if (text.trim() === "") return { error: { code: "fileEmpty" } };
  // Danish spreadsheets save with ";" between cells: the header line tells which it is.
  const header = text.split(/\r?\n/, 1)[0]!;
  const delimiter = header.includes(";") && !header.includes(",") ? ";" : ",";
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, info: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: 4096 }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { error: { code: "fileMalformed", value: line ? String(line) : undefined } };
  }
  const [head, ...body] = records;
  if (!head) return { error: { code: "fileEmpty" } };
  const names = head.record.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) return { error: { code: "unknownColumns", value: unknown.map((n) => n || "\"\"").join(", ") } };
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) return { error: { code: "duplicateColumns", value: [...new Set(twice)].join(", ") } };
  const missing = REQUIRED.filter((name) => !names.includes(name));
  if (missing.length > 0) return { error: { code: "missingColumns", value: missing.join(", ") } };
  if (body.length === 0) return { error: { code: "noRows" } };
  if (body.length > IMPORT_MAX_ROWS) return { error: { code: "tooManyRows", value: String(IMPORT_MAX_ROWS) } };
  const columns = names as Column[];
  return {
    columns,
    lines: body.map(({ record, info }) => ({
      line: info.lines,
      columnCountOk: record.length === columns.length,
      cells: Object.fromEntries(columns.map((column, i) => [column, record[i] ?? ""])),
    })),
  };
}

/** Team paths ("Salg/Salg Øst") of the organisation to their ids, compared without case. */
function teamPaths(roots: TeamNode[]): Map<string, string> {
  const paths = new Map<string, string>();
  const walk = (node: TeamNode, prefix: string[]) => {
    const path = [...prefix, node.name.trim().toLocaleLowerCase("da")];
    paths.set(path.join("/"), node.id);
    node.children.forEach((child) => walk(child, path));
  };
  roots.forEach((root) => walk(root, []));
  return paths;
}

const normalisePath = (path: string) =>
  path
    .split("/")
    .map((part) => part.trim().toLocaleLowerCase("da"))
    .join("/");

/** The reasons a line breaks the single invitation's schema, as message keys. */
function schemaReasons(error: z.ZodError, roles: string[]): ImportReason[] {
  return error.issues.map((issue) => {
    const [field, index] = issue.path;
    if (field === "email") return { code: "invalidEmail" };
    if (field === "roles" && typeof index === "number") return { code: "unknownRole", value: roles[index] };
    if (field === "roles") return { code: "atLeastOneRole" };
    if (field === "name") return { code: "nameTooLong" };
    return { code: "invalidValue", value: String(field) };
  });
}

/** The preview: every line classified against the organisation's members now. */
export async function previewMemberImport(db: DbOrTx, scope: Scope, csv: string): Promise<ImportPreview> {
  const read = readCsv(csv);
  if ("error" in read) return summarise(read.error, []);
  const paths = teamPaths(buildTeamTree(await listTeams(db, scope)));
  const seen = new Map<string, number>();
  const candidates: Array<{ line: number; wanted: Wanted } | Extract<ImportRow, { kind: "refused" }>> = [];

  for (const { line, cells, columnCountOk } of read.lines) {
    const rawEmail = cells.email ?? "";
    if (!columnCountOk) {
      candidates.push({ line, kind: "refused", email: rawEmail, reasons: [{ code: "wrongColumnCount", value: String(read.columns.length) }] });
      continue;
    }
    const reasons: ImportReason[] = [];
    const roles = (cells.roles ?? "")
      .split(/[;,]/)
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean);
    const teamPath = cells.team ? cells.team.trim() : "";
    let teamId: string | null | undefined = read.columns.includes("team") ? null : undefined;
    if (teamPath) {
      teamId = paths.get(normalisePath(teamPath));
      if (!teamId) reasons.push({ code: "unknownTeam", value: teamPath });
    }
    const parsed = inviteMemberSchema.safeParse({ email: rawEmail, name: cells.name || undefined, roles, teamId: teamId ?? null });
    if (!parsed.success) reasons.push(...schemaReasons(parsed.error, roles));
    const email = parsed.success ? parsed.data.email : rawEmail.trim().toLowerCase();
    const first = seen.get(email);
    if (email && first !== undefined) reasons.push({ code: "duplicateEmail", value: String(first) });
    else if (email) seen.set(email, line);
    if (reasons.length > 0 || !parsed.success) {
      candidates.push({ line, kind: "refused", email: rawEmail, reasons });
      continue;
    }
    candidates.push({
      line,
      wanted: { email, name: parsed.data.name || null, teamId, teamPath: teamPath || null, roles: parsed.data.roles },
    });
  }

  const emails = candidates.flatMap((c) => ("wanted" in c ? [c.wanted.email] : []));
  const existing =
    emails.length === 0
      ? []
      : await db
          .select({ membershipId: memberships.id, email: users.email, name: users.name, roles: memberships.roles, teamId: memberships.teamId, status: memberships.status })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(and(eq(memberships.orgId, scope.orgId), inArray(users.email, emails)));
  const byEmail = new Map(existing.map((m) => [m.email, m]));

  const rows: ImportRow[] = candidates.map((c) => {
    if (!("wanted" in c)) return c;
    const { line, wanted } = c;
    const member = byEmail.get(wanted.email);
    if (!member) return { line, kind: "create", ...wanted };
    if (member.status === "deactivated") return { line, kind: "refused", email: wanted.email, reasons: [{ code: "deactivated" }] };
    const changes: Array<"name" | "team" | "roles"> = [];
    // A person's name is theirs (they may be in other organisations too): the file only fills in a missing one.
    if (wanted.name && !member.name) changes.push("name");
    if (wanted.teamId !== undefined && wanted.teamId !== member.teamId) changes.push("team");
    if (wanted.roles.join() !== member.roles.join()) changes.push("roles");
    return changes.length > 0
      ? { line, kind: "change", membershipId: member.membershipId, changes, ...wanted }
      : { line, kind: "unchanged", membershipId: member.membershipId, ...wanted };
  });
  return summarise(null, rows);
}

function summarise(fileError: ImportReason | null, rows: ImportRow[]): ImportPreview {
  const counts = { create: 0, change: 0, unchanged: 0, refused: 0 };
  for (const row of rows) counts[row.kind]++;
  return { fileError, rows, counts, canApply: !fileError && counts.refused === 0 && counts.create + counts.change > 0 };
}

class LineRefused extends Error {
  constructor(
    readonly line: number,
    readonly reason: ImportReason,
  ) {
    super(reason.code);
  }
}

/**
 * Applies a file: validates it again here (the preview the browser saw is not trusted)
 * and, only if every line is fine, invites and updates in one transaction. A line the
 * single-invitation rules refuse while applying (the last admin losing the role, someone
 * invited meanwhile) rolls everything back and comes back as a refused line.
 */
export async function applyMemberImport(db: DbOrTx, scope: Scope, csv: string): Promise<ImportResult> {
  try {
    return await db.transaction(async (tx) => {
      const preview = await previewMemberImport(tx, scope, csv);
      if (!preview.canApply) return { applied: false as const, preview };
      const created: Extract<ImportResult, { applied: true }>["created"] = [];
      for (const row of preview.rows) {
        try {
          if (row.kind === "create") {
            const { link, user } = await inviteMember(tx, scope, { email: row.email, name: row.name ?? undefined, roles: row.roles, teamId: row.teamId ?? null });
            created.push({ line: row.line, email: row.email, name: row.name, locale: user.locale, link });
          } else if (row.kind === "change") {
            if (row.changes.includes("team") || row.changes.includes("roles")) {
              await updateMember(tx, scope, row.membershipId, { roles: row.roles, ...(row.changes.includes("team") ? { teamId: row.teamId } : {}) });
            }
            if (row.changes.includes("name")) await fillMissingName(tx, scope, row.membershipId, row.name!);
          }
        } catch (error) {
          if (error instanceof DomainError) throw new LineRefused(row.line, { code: error.code });
          throw error;
        }
      }
      return { applied: true as const, created, changed: preview.counts.change, unchanged: preview.counts.unchanged };
    });
  } catch (error) {
    if (!(error instanceof LineRefused)) throw error;
    const preview = await previewMemberImport(db, scope, csv);
    const rows = preview.rows.map((row): ImportRow =>
      row.line === error.line ? { line: row.line, kind: "refused", email: "email" in row ? row.email : "", reasons: [error.reason] } : row,
    );
    return { applied: false, preview: summarise(preview.fileError, rows) };
  }
}

/** Sets the name of a member of the scope's organisation who has none yet. */
async function fillMissingName(tx: DbOrTx, scope: Scope, membershipId: string, name: string) {
  const [member] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.orgId, scope.orgId)));
  if (!member) return;
  const filled = await tx
    .update(users)
    .set({ name })
    .where(and(eq(users.id, member.userId), isNull(users.name)))
    .returning({ id: users.id });
  if (filled.length > 0) await audit(tx, scope, { action: "member.update", targetType: "membership", targetId: membershipId, before: { name: null }, after: { name } });
}

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made plain text. */
const plain = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** The links of an applied import as a CSV file (email, name, link, valid until), for the admin to pass on. */
export function invitationLinksCsv(created: Array<{ email: string; name: string | null; url: string; expiresAt: Date | string }>): string {
  return stringify(
    created.map((c) => [plain(c.email), plain(c.name ?? ""), c.url, new Date(c.expiresAt).toISOString()]),
    { header: true, columns: ["email", "name", "link", "expires_at"] },
  );
}
