/**
 * SCIM answers (RFC 7644 §3.12): errors carry the Error schema, the status as a string and,
 * for 400 and 409, a scimType a directory can act on. Every answer is application/scim+json.
 */
export const SCIM_CONTENT_TYPE = "application/scim+json";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 501,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = "ScimError";
  }
}

export const scimNotFound = (what: "User" | "Group", id: string) => new ScimError(404, `${what} ${id} not found`);
export const invalidFilter = (detail: string) => new ScimError(400, detail, "invalidFilter");
export const invalidSyntax = (detail: string) => new ScimError(400, detail, "invalidSyntax");
export const invalidPath = (detail: string) => new ScimError(400, detail, "invalidPath");
export const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");
export const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": SCIM_CONTENT_TYPE, ...headers } });
}

export function scimNoContent(): Response {
  return new Response(null, { status: 204 });
}

export function scimErrorResponse(error: ScimError, headers: Record<string, string> = {}): Response {
  return scimJson(
    { schemas: [ERROR_SCHEMA], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.detail },
    error.status,
    headers,
  );
}
