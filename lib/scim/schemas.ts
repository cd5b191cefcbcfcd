import { z } from "zod";
import { invalidSyntax } from "./errors";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Entra ID has sent booleans as strings ("True", "False"); both are accepted. */
export const booleanish = z.preprocess((v) => {
  if (typeof v !== "string") return v;
  const lower = v.trim().toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : v;
}, z.boolean());

const text = z.string().trim().max(500);

/** RFC 7643 §4.1: every attribute of the core User schema (those Ripple does not keep are accepted and ignored). */
export const USER_ATTRIBUTES = [
  "id", "externalId", "meta", "schemas", "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
  "preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos", "addresses",
  "groups", "entitlements", "roles", "x509Certificates",
] as const;
export const GROUP_ATTRIBUTES = ["id", "externalId", "meta", "schemas", "displayName", "members"] as const;

/**
 * Keys of a resource body: an attribute of the schema (case-insensitive, RFC 7643 §2.1) or
 * an extension's URN (the enterprise extension Entra ID sends); anything else is refused.
 */
function knownKeys(allowed: readonly string[]) {
  return (body: unknown) => {
    if (body && typeof body === "object" && !Array.isArray(body)) {
      for (const key of Object.keys(body)) {
        if (key.toLowerCase().startsWith("urn:")) continue;
        if (!allowed.some((a) => a.toLowerCase() === key.toLowerCase())) throw invalidSyntax(`Unknown attribute "${key}"`);
      }
    }
    return body;
  };
}

/** Puts known attribute names in their canonical spelling, so `UserName` reads as `userName`. */
function canonicalKeys(allowed: readonly string[]) {
  return (body: unknown) => {
    if (!body || typeof body !== "object" || Array.isArray(body)) return body;
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [allowed.find((a) => a.toLowerCase() === k.toLowerCase()) ?? k, v]));
  };
}

export const emailEntrySchema = z.object({
  value: z.string().trim().max(254),
  type: z.string().max(40).nullish(),
  primary: booleanish.nullish(),
});

export const nameSchema = z.object({
  givenName: text.nullish(),
  familyName: text.nullish(),
  formatted: text.nullish(),
});

export const userBodySchema = z.preprocess(
  (body) => canonicalKeys(USER_ATTRIBUTES)(knownKeys(USER_ATTRIBUTES)(body)),
  z.object({
    userName: z.string().trim().min(1).max(254),
    externalId: text.nullish(),
    name: nameSchema.nullish(),
    displayName: text.nullish(),
    emails: z.array(emailEntrySchema).max(20).nullish(),
    active: booleanish.optional(),
  }),
);
export type UserBody = z.infer<typeof userBodySchema>;

export const memberRefSchema = z.object({ value: z.string().min(1).max(100), display: z.string().nullish() });

export const groupBodySchema = z.preprocess(
  (body) => canonicalKeys(GROUP_ATTRIBUTES)(knownKeys(GROUP_ATTRIBUTES)(body)),
  z.object({
    displayName: z.string().trim().min(1).max(200),
    externalId: text.nullish(),
    members: z.array(memberRefSchema).max(10_000).nullish(),
  }),
);
export type GroupBody = z.infer<typeof groupBodySchema>;

export const patchOpSchema = z.object({
  op: z
    .string()
    .transform((op) => op.toLowerCase())
    .pipe(z.enum(["add", "remove", "replace"])),
  path: z.string().trim().max(300).optional(),
  value: z.unknown().optional(),
});
export type PatchOp = z.infer<typeof patchOpSchema>;

export const patchBodySchema = z.object({
  schemas: z.array(z.string()).optional(),
  Operations: z.array(patchOpSchema).min(1).max(1000),
});

/** startIndex is 1-based; values below 1 read as 1, a count above the maximum as the maximum (RFC 7644 §3.4.2.4). */
export const MAX_RESULTS = 200;
export const listQuerySchema = z.object({
  filter: z.string().max(1000).optional(),
  startIndex: z.coerce.number().int().catch(1).transform((n) => Math.max(1, n)).optional(),
  count: z.coerce.number().int().catch(100).transform((n) => Math.min(MAX_RESULTS, Math.max(0, n))).optional(),
  excludedAttributes: z.string().max(500).optional(),
  attributes: z.string().max(500).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const getQuerySchema = listQuerySchema.pick({ excludedAttributes: true, attributes: true });

export function excludes(query: { excludedAttributes?: string }, attribute: string): boolean {
  return (query.excludedAttributes ?? "")
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .includes(attribute.toLowerCase());
}

export function listResponse<T>(resources: T[], totalResults: number, startIndex: number) {
  return { schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
