import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storyStatusIds } from "@/db/schema";
import { auditActions, auditTargetTypes, changedFields, csvSafe } from "@/lib/audit";
import da from "@/messages/da.json";
import en from "@/messages/en.json";

/** Every audit action is read in words, in Danish and in English. */

const root = path.resolve(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** Every action code written to the audit log anywhere in the code: audit(...) calls and direct inserts. */
function actionCodesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of ["lib", "app", "workers", "db"].flatMap((dir) => sourceFiles(path.join(root, dir)))) {
    const text = readFileSync(file, "utf8");
    for (const call of text.matchAll(/\baudit\(|\.insert\(auditLog\)/g)) {
      const window = text.slice(call.index, call.index + 600);
      const start = window.indexOf("action:");
      if (start === -1) continue;
      const end = window.indexOf("targetType", start);
      const expression = window.slice(start, end === -1 ? undefined : end);
      for (const literal of expression.matchAll(/["'`]([a-z_]+\.[a-z_]+)["'`]/g)) codes.add(literal[1]!);
      // `story.${to}`: a story moved to any of its statuses.
      for (const template of expression.matchAll(/`([a-z_]+)\.\$\{/g)) {
        expect(template[1], `${path.relative(root, file)}: a template action other than story.<status>`).toBe("story");
        for (const status of storyStatusIds) codes.add(`story.${status}`);
      }
    }
  }
  return codes;
}

function message(messages: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), messages);
}

describe("audit actions", () => {
  it("lists every action code the code writes", () => {
    const written = actionCodesInSource();
    expect(written.size).toBeGreaterThan(30);
    for (const code of written) expect(auditActions, `${code} is written but not listed in lib/audit/actions.ts`).toContain(code);
  });

  it.each([
    ["Danish", da],
    ["English", en],
  ])("has words in %s for every action and target", (_language, messages) => {
    for (const action of auditActions) {
      const words = message(messages, `auditLog.actions.${action}`);
      expect(typeof words === "string" && words.trim().length > 0, `auditLog.actions.${action}`).toBe(true);
    }
    for (const type of auditTargetTypes) {
      expect(typeof message(messages, `auditLog.targets.${type}`), `auditLog.targets.${type}`).toBe("string");
    }
  });
});

describe("the audit log is append-only", () => {
  it("is never updated or deleted from, except by a person's erasure (GDPR), which empties what it says about them", () => {
    const writers = ["lib", "app", "workers", "db"]
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .filter((file) => /\.(update|delete)\(auditLog\)/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(root, file));
    expect(writers).toEqual(["lib/me/delete-account.ts"]);
  });
});

describe("audit changes", () => {
  it("lists only the fields that changed, old and new, without bookkeeping columns", () => {
    expect(
      changedFields(
        { id: "x", name: "Salg", parentId: null, updatedAt: "2026-01-01T00:00:00Z", roles: ["employee"] },
        { id: "x", name: "Salg Øst", parentId: null, updatedAt: "2026-02-01T00:00:00Z", roles: ["employee", "editor"] },
      ),
    ).toEqual([
      { field: "name", from: "Salg", to: "Salg Øst" },
      { field: "roles", from: "employee", to: "employee, editor" },
    ]);
    expect(changedFields(null, { name: "Ny", tokenHash: "abc" })).toEqual([{ field: "name", from: null, to: "Ny" }]);
  });

  it("makes a CSV cell that a spreadsheet would run as a formula plain text", () => {
    for (const bad of ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"]) expect(csvSafe(bad)).toBe(`'${bad}`);
    expect(csvSafe("Salg Øst")).toBe("Salg Øst");
  });
});
