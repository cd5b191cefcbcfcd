import { parse, type Filter } from "scim2-parse-filter";
import { invalidFilter } from "./errors";

/**
 * The filters Ripple answers: one `attribute eq "value"` on an attribute the resource
 * allows (what Entra ID and Okta send to find a user or group before creating it).
 * Anything else — another operator, and/or/not, an unknown attribute, a malformed
 * expression — is a 400 invalidFilter, never a silently wider answer.
 */
export type EqFilter = { attribute: string; value: string };

export function parseEqFilter(filter: string | undefined, allowed: readonly string[]): EqFilter | null {
  if (filter === undefined || filter.trim() === "") return null;
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch {
    throw invalidFilter(`The filter "${filter}" is not a valid SCIM filter`);
  }
  if (ast.op !== "eq" || !("attrPath" in ast) || !("compValue" in ast)) {
    throw invalidFilter(`Only filters of the form: attribute eq "value" are supported (on ${allowed.join(", ")})`);
  }
  // Attribute names are case-insensitive, and may carry their schema's URN.
  const name = ast.attrPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, "");
  const attribute = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
  if (!attribute) throw invalidFilter(`Filtering on "${ast.attrPath}" is not supported; use one of ${allowed.join(", ")}`);
  if (typeof ast.compValue !== "string") throw invalidFilter(`The value compared with ${attribute} must be a string`);
  return { attribute, value: ast.compValue };
}
