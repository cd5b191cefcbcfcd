import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createScimToken } from "@/lib/scim";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";
import { scimCall } from "../support/scim-client";
import { entraIdReplay } from "./scim-replays/entra-id";
import { oktaReplay } from "./scim-replays/okta";
import type { Replay } from "./scim-replays/types";

/**
 * Replays the request sequences Entra ID and Okta document for provisioning against the
 * real /scim/v2 route handlers and PostgreSQL, step by step: each answer's status, its
 * content type and the shape of its body.
 */
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

function fill(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => vars[name] ?? `{{${name}}}`);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

async function replay(script: Replay, token: string, vars: Record<string, string>) {
  for (const step of script.steps) {
    const answer = await scimCall(token, step.method, fill(step.path, vars) as string, fill(step.body, vars));
    const where = `${script.source} — ${step.name}: ${JSON.stringify(answer.json)}`;
    expect(answer.status, where).toBe(step.expect.status);
    if (answer.status !== 204) expect(answer.contentType, where).toBe("application/scim+json");
    if (step.expect.body) expect(answer.json, where).toMatchObject(fill(step.expect.body, vars) as Record<string, unknown>);
    for (const attribute of step.expect.absent ?? []) expect(answer.json, where).not.toHaveProperty(attribute);
    for (const [name, attribute] of Object.entries(step.capture ?? {})) vars[name] = String(answer.json[attribute]);
  }
}

async function provisionedOrganisation() {
  const { cli } = await makeOrganization("Nordlys Energi A/S");
  const admin = await makeMember(cli, ["admin"]);
  const other = await makeMember(cli, ["employee"]);
  const { token } = await createScimToken(db(), cli);
  return { cli, admin, other, token };
}

describe("SCIM replays", () => {
  it("answers Microsoft Entra ID's documented provisioning requests", async () => {
    const { token, other } = await provisionedOrganisation();
    await replay(entraIdReplay, token, { userName: uniqueEmail("entra"), newUserName: uniqueEmail("renamed"), groupName: "Kommunikation", otherUserId: other.membership.id });
  });

  it("answers Okta's documented provisioning requests", async () => {
    const { token } = await provisionedOrganisation();
    await replay(oktaReplay, token, { userName: uniqueEmail("okta") });
  });
});
