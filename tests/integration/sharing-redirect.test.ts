import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { trackedLinks } from "@/db/schema";
import * as redirectRoute from "@/app/r/[code]/route";
import { db } from "@/lib/db";
import { newLinkCode } from "@/lib/links/tracked-links";
import { createShares } from "@/lib/shares";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * GET /r/<code>: a 302 to the destination stored for the code — exactly it, and only ever
 * it — and 404 for anything else. Public: no session, no token.
 */

// The guard module reads the Auth.js session elsewhere; the redirect never does.
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

async function visit(code: string, init: { url?: string; headers?: Record<string, string> } = {}) {
  const url = init.url ?? `http://localhost:3999/r/${encodeURIComponent(code)}`;
  return redirectRoute.GET(new Request(url, { headers: init.headers }), { params: Promise.resolve({ code }) });
}

/** A real share's tracked link, made the way sharing makes it. */
async function sharedLink() {
  const { cli } = await makeOrganization();
  const story = await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/nyheder/vind?tema=hav&sprog=da#afsnit-2" });
  const person = await makeSharer(cli, { networks: ["x"] });
  const [share] = await createShares(db(), cli, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.x!.id, text: "Se her" }] });
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return { cli, story, share: share!, link: link! };
}

describe("GET /r/<code>", () => {
  it("answers 302 with Location exactly the stored destination, UTM and fragment included, not cached by shared caches", async () => {
    const { link, share, story } = await sharedLink();
    const response = await visit(link.code);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(link.destination);
    expect(response.headers.get("cache-control")).toMatch(/no-store/);
    expect(response.headers.get("cache-control")).not.toMatch(/public/);
    const destination = new URL(response.headers.get("location")!);
    expect(destination.searchParams.get("utm_content")).toBe(share.id);
    expect(destination.searchParams.get("utm_campaign")).toBe(story.slug);
    expect(destination.searchParams.get("tema")).toBe("hav");
    expect(await response.text()).toBe("");
  });

  it("answers the same for any organisation's link, without a session or token", async () => {
    const a = await sharedLink();
    const b = await sharedLink();
    expect((await visit(a.link.code)).headers.get("location")).toBe(a.link.destination);
    expect((await visit(b.link.code)).headers.get("location")).toBe(b.link.destination);
  });

  it("answers 404 for an unknown code and for malformed ones, with no Location", async () => {
    await sharedLink();
    for (const code of [newLinkCode(), "aaaaaaaaaa", "short", "a".repeat(33), "abc-def-ghij", "../../../etc/passwd", "%2F%2Fevil.example", "https://evil.example", "æøåæøåæøåæ", ""]) {
      const response = await visit(code);
      expect(response.status, code).toBe(404);
      expect(response.headers.get("location"), code).toBeNull();
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
    }
  });

  it("matches the code exactly: case matters, and a code with extra characters is another code", async () => {
    const { link } = await sharedLink();
    const flipped = link.code.replace(/[a-zA-Z]/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
    if (flipped !== link.code) expect((await visit(flipped)).status).toBe(404);
    expect((await visit(`${link.code}x`)).status).toBe(404);
    expect((await visit(link.code.slice(0, -1))).status).toBe(404);
  });

  it("never takes the Location from the request: query, host, forwarded and referrer headers are ignored", async () => {
    const { link } = await sharedLink();
    const response = await visit(link.code, {
      url: `http://evil.example/r/${link.code}?to=https://evil.example&url=https://evil.example&next=//evil.example&redirect=https://evil.example`,
      headers: {
        host: "evil.example",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        referer: "https://evil.example/",
        "x-original-url": "https://evil.example/",
      },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(link.destination);
    expect(response.headers.get("location")).not.toContain("evil");
  });
});
