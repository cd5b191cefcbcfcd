import { z } from "zod";
import { invalidPath, invalidValue, ScimError } from "./errors";
import { booleanish, emailEntrySchema, nameSchema, USER_ATTRIBUTES, type PatchOp } from "./schemas";

/**
 * A user as the directory sees it, and PATCH (RFC 7644 §3.5.2) applied to it. Both
 * Entra ID's forms (capitalised ops, paths like `emails[type eq "work"].value`, booleans
 * as "False") and Okta's (no path, `value: {active: false}`) arrive here; the result is
 * committed in one place (users.ts) whatever form it came in.
 */
export type EmailEntry = { value: string; type?: string | null; primary?: boolean | null };

export type UserState = {
  userName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
  displayName: string | null;
  emails: EmailEntry[];
  active: boolean;
};

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:User:/i;
const EMAIL_FILTER = /^emails\[\s*type\s+eq\s+"([^"]*)"\s*\](?:\.(value|primary|type))?$/i;

function str(path: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value.trim() === "" ? null : value.trim();
  // Entra ID has wrapped single values in a list of one: [{"value": "x"}].
  if (Array.isArray(value) && value.length === 1 && typeof value[0]?.value === "string") return str(path, value[0].value);
  throw invalidValue(`${path} must be a string`);
}

function parse<T>(schema: z.ZodType<T>, path: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidValue(`${path} has an invalid value`);
  return parsed.data;
}

function setEmail(state: UserState, type: string, field: string, value: unknown, op: string) {
  const index = state.emails.findIndex((e) => (e.type ?? "").toLowerCase() === type.toLowerCase());
  if (op === "remove") {
    if (index >= 0) state.emails.splice(index, 1);
    return;
  }
  const entry: EmailEntry = index >= 0 ? { ...state.emails[index]! } : { value: "", type, primary: state.emails.length === 0 };
  if (field === "primary") entry.primary = parse(booleanish, "primary", value);
  else if (field === "type") entry.type = str("type", value);
  else entry.value = str("value", value) ?? "";
  if (index >= 0) state.emails[index] = entry;
  else state.emails.push(entry);
}

function applyPath(state: UserState, op: PatchOp["op"], rawPath: string, value: unknown) {
  const path = rawPath.replace(CORE_PREFIX, "");
  // Extension attributes (the enterprise schema: department, manager …) are not kept.
  if (/^urn:/i.test(path)) return;
  const emailFilter = EMAIL_FILTER.exec(path);
  if (emailFilter) return setEmail(state, emailFilter[1]!, emailFilter[2]?.toLowerCase() ?? "value", value, op);

  switch (path.toLowerCase()) {
    case "active":
      if (op !== "remove") state.active = parse(booleanish, "active", value);
      return;
    case "username":
      if (op === "remove") throw new ScimError(400, "userName is required and cannot be removed", "mutability");
      state.userName = str("userName", value) ?? "";
      return;
    case "externalid":
      state.externalId = op === "remove" ? null : str("externalId", value);
      return;
    case "displayname":
      state.displayName = op === "remove" ? null : str("displayName", value);
      return;
    case "name.givenname":
      state.givenName = op === "remove" ? null : str("name.givenName", value);
      return;
    case "name.familyname":
      state.familyName = op === "remove" ? null : str("name.familyName", value);
      return;
    case "name.formatted":
      state.formatted = op === "remove" ? null : str("name.formatted", value);
      return;
    case "name": {
      if (op === "remove") {
        state.givenName = state.familyName = state.formatted = null;
        return;
      }
      const name = parse(nameSchema, "name", value);
      const merge = op === "add";
      state.givenName = name.givenName !== undefined || !merge ? (name.givenName ?? null) : state.givenName;
      state.familyName = name.familyName !== undefined || !merge ? (name.familyName ?? null) : state.familyName;
      state.formatted = name.formatted !== undefined || !merge ? (name.formatted ?? null) : state.formatted;
      return;
    }
    case "emails": {
      if (op === "remove") {
        state.emails = [];
        return;
      }
      const list = parse(z.array(emailEntrySchema), "emails", Array.isArray(value) ? value : [value]);
      if (op === "replace") state.emails = list;
      else for (const e of list) setEmail(state, e.type ?? "work", "value", e.value, "add");
      return;
    }
  }
  // Other attributes of the core User schema (phoneNumbers, title, addresses …) are not kept.
  const base = path.split(/[.[]/)[0]!.toLowerCase();
  if (USER_ATTRIBUTES.some((a) => a.toLowerCase() === base)) return;
  throw invalidPath(`Unknown attribute "${rawPath}"`);
}

export function applyUserPatch(before: UserState, ops: PatchOp[]): UserState {
  const state: UserState = { ...before, emails: before.emails.map((e) => ({ ...e })) };
  for (const op of ops) {
    if (op.path) {
      if (op.value === undefined && op.op !== "remove") throw invalidValue(`"${op.op}" of ${op.path} needs a value`);
      applyPath(state, op.op, op.path, op.value);
      continue;
    }
    if (op.op === "remove") throw new ScimError(400, "A remove operation needs a path", "noTarget");
    if (!op.value || typeof op.value !== "object" || Array.isArray(op.value)) throw invalidValue(`"${op.op}" without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) applyPath(state, op.op, key, value);
  }
  return state;
}
