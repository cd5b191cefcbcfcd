import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { media, stories } from "@/db/schema";
import { saveStoryAction } from "@/app/(app)/library/actions";
import * as mediaRoute from "@/app/api/media/route";
import * as storiesRoute from "@/app/api/v1/stories/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { makeMember, makeOrganization } from "../support/factories";

/**
 * The route wrapper's own refusals (lib/auth/guard.ts): a write authenticated by a session
 * cookie must come from Ripple's origin (bearer-token calls are not affected), and text
 * PostgreSQL cannot store (a NUL) is a 400, never a 500 — whichever edge it came through.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const APP_ORIGIN = "http://localhost:3999"; // APP_URL of the integration run
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

function upload(headers: Record<string, string>): Request {
  const form = new FormData();
  form.set("file", new Blob([PNG], { type: "image/png" }), "a.png");
  return new Request(`${APP_ORIGIN}/api/media`, { method: "POST", headers, body: form });
}

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as { title: string; detail: string; status: number };
}

async function editor() {
  const { cli, org } = await makeOrganization();
  const member = await makeMember(cli, ["editor"]);
  session.current = { userId: member.user.id, orgId: org.id, orgName: org.name, roles: ["editor"] };
  const { token } = await createApiToken(db(), cli, { userId: member.user.id, name: "hardening" });
  return { org, cli, member, token };
}

const mediaRows = (orgId: string) => db().select().from(media).where(eq(media.orgId, orgId));
const noParams = { params: Promise.resolve({}) };

describe("cookie-authenticated writes must come from Ripple's own pages", () => {
  it("refuses a media upload with a session cookie from another origin, or with no origin at all: 403, nothing saved", async () => {
    const { org } = await editor();
    for (const headers of [{ origin: "https://evil.example" } as Record<string, string>, { origin: "null" }, {}, { "sec-fetch-site": "cross-site" }, { origin: `${APP_ORIGIN}.evil.example` }]) {
      const problem = await problemOf(await mediaRoute.POST(upload(headers), noParams), 403);
      expect(problem.detail, JSON.stringify(headers)).toMatch(/Cross-origin/);
    }
    expect(await mediaRows(org.id)).toHaveLength(0);

    const same = await mediaRoute.POST(upload({ origin: APP_ORIGIN }), noParams);
    expect(same.status).toBe(201);
    const sameSite = await mediaRoute.POST(upload({ "sec-fetch-site": "same-origin" }), noParams);
    expect(sameSite.status).toBe(201);
    expect(await mediaRows(org.id)).toHaveLength(2);
  });

  it("does not affect bearer-token calls, whatever their origin", async () => {
    const { org, token } = await editor();
    session.current = null;
    const response = await mediaRoute.POST(upload({ authorization: `Bearer ${token}`, origin: "https://scripts.example" }), noParams);
    expect(response.status).toBe(201);
    expect(await mediaRows(org.id)).toHaveLength(1);
  });
});

describe("text PostgreSQL cannot store is bad input", () => {
  it("answers 400 problem+json to a NUL in a story title through the API, and writes nothing", async () => {
    const { org, token } = await editor();
    const post = (title: string) =>
      storiesRoute.POST(
        new Request(`${APP_ORIGIN}/api/v1/stories`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ title, body: "Tekst", language: "da", canonicalUrl: "https://nordlys.example/vind" }),
        }),
        noParams,
      );
    const problem = await problemOf(await post("Vind\u0000kraft"), 400);
    expect(problem.title).toBe("Bad Request");
    expect(await db().select().from(stories).where(eq(stories.orgId, org.id))).toHaveLength(0);
    // The same story without the NUL is fine.
    expect((await post("Vindkraft")).status).toBe(201);
  });

  it("answers a server action with a NUL in its text as invalid input, and writes nothing", async () => {
    const { org } = await editor();
    const save = (title: string) => saveStoryAction({ story: { title, body: "Tekst", language: "da", canonicalUrl: "https://nordlys.example/vind" } });
    expect(await save("Vind\u0000kraft")).toEqual({ ok: false, error: "invalidInput" });
    expect(await db().select().from(stories).where(eq(stories.orgId, org.id))).toHaveLength(0);
    expect(await save("Vindkraft")).toMatchObject({ ok: true });
  });
});
