import { TID } from "@atproto/common-web";
import { describe, expect, it } from "vitest";
import { blueskyCommentKey, blueskyPostRecord, blueskyRecordKey, jwtSubject } from "@/lib/networks/bluesky";
import { postedText } from "@/lib/networks/appearance";
import { sameLink, searchRecentPosts, textHasLink } from "@/lib/networks/http";
import { escapeLittleText, linkedinCommentary, unescapeLittleText, untilMidnightUtc } from "@/lib/networks/linkedin";
import type { OutgoingPost } from "@/lib/networks/types";
import { sameWords, xPostTime, xRetryAfterMs } from "@/lib/networks/x";

/** The pure parts of publishing and of the recovery look-up (the network calls are in tests/integration/publish-adapters.test.ts). */

const post = (overrides: Partial<OutgoingPost> = {}): OutgoingPost => ({
  shareId: "7d7c3c1e-2f1a-4c55-9a0e-1b2c3d4e5f60",
  createdAt: new Date("2026-03-14T09:26:53.589Z"),
  text: "Se @mette.test og https://ripple.dk/r/Ab3 #vind",
  trackedUrl: "https://ripple.dk/r/Ab3",
  language: "da",
  link: { url: "https://ripple.dk/r/Ab3", title: "T", description: "D", imageUrl: null },
  ...overrides,
});

describe("Bluesky record key", () => {
  it("is a valid TID of the share's creation, the same for every attempt, different for another share", () => {
    const key = blueskyRecordKey(post());
    expect(key).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(blueskyRecordKey(post())).toBe(key);
    const tid = TID.fromStr(key);
    // Microseconds of the creation time; the sub-millisecond digits come from the share id.
    expect(Math.floor(tid.timestamp() / 1000)).toBe(post().createdAt.getTime());
    expect(tid.clockid()).toBeLessThan(1024);
    expect(blueskyRecordKey(post({ shareId: "another-share" }))).not.toBe(key);
    expect(blueskyRecordKey(post({ createdAt: new Date("2026-03-14T09:26:53.590Z") }))).not.toBe(key);
  });

  it("spreads shares created in the same millisecond over about a million keys", () => {
    // 2000 shares in one millisecond: about two colliding pairs expected (birthday bound n²/2·1,024,000).
    const keys = new Set(Array.from({ length: 2000 }, (_, i) => blueskyRecordKey(post({ shareId: `share-${i}` }))));
    expect(keys.size).toBeGreaterThan(1990);
    const pair = new Set(Array.from({ length: 5 }, (_, i) => blueskyRecordKey(post({ shareId: `batch-${i}` }))));
    expect(pair.size).toBe(5);
  });
});

describe("Bluesky post record", () => {
  it("keeps link and tag facets, drops unresolved mentions, links the card to the tracked link", () => {
    const record = blueskyPostRecord(post(), undefined, new Date("2026-03-15T08:00:00Z"));
    expect(record.createdAt).toBe("2026-03-15T08:00:00.000Z");
    expect(record.facets?.map((f) => f.features[0]!.$type)).toEqual(["app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"]);
    expect(record.embed).toEqual({ $type: "app.bsky.embed.external", external: { uri: "https://ripple.dk/r/Ab3", title: "T", description: "D" } });
    expect(record.langs).toEqual(["da"]);
  });

  it("reads the DID from a PDS access JWT", () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expect(jwtSubject(`${encode({ alg: "HS256" })}.${encode({ sub: "did:plc:abc", scope: "com.atproto.appPass" })}.sig`)).toBe("did:plc:abc");
    expect(jwtSubject("not-a-jwt")).toBeNull();
  });
});

describe("LinkedIn little text", () => {
  it("escapes every reserved character and reads back unchanged", () => {
    const text = "A (B) [c] {d} <e> @f #g *h* _i_ ~j~ k|l \\m https://ripple.dk/r/Ab3";
    const escaped = escapeLittleText(text);
    expect(escaped).toBe("A \\(B\\) \\[c\\] \\{d\\} \\<e\\> \\@f \\#g \\*h\\* \\_i\\_ \\~j\\~ k\\|l \\\\m https://ripple.dk/r/Ab3");
    expect(unescapeLittleText(escaped)).toBe(text);
  });

  it("sends hashtags in LinkedIn's hashtag template, Danish letters and emoji around them included", () => {
    const cases: Array<[string, string]> = [
      ["#GrønOmstilling i Århus", "{hashtag|\\#|GrønOmstilling} i Århus"],
      ["Vi bygger 🌱 #vindmøller og #Æblegrød_2026!", "Vi bygger 🌱 {hashtag|\\#|vindmøller} og {hashtag|\\#|Æblegrød\\_2026}!"],
      ["(#energi) \"#ø\"", "\\({hashtag|\\#|energi}\\) \"{hashtag|\\#|ø}\""],
      ["Første linje\n#nyhed", "Første linje\n{hashtag|\\#|nyhed}"],
      // Not tags: after a letter, a lone #, digits only, emoji, a URL's fragment, # inside a word.
      ["Vi skriver C# og F#", "Vi skriver C\\# og F\\#"],
      ["abc#def", "abc\\#def"],
      ["Nummer # 5", "Nummer \\# 5"],
      ["#2026 var et godt år", "\\#2026 var et godt år"],
      ["#🌱 og # 🌍", "\\#🌱 og \\# 🌍"],
      ["Læs https://nordlys.dk/#top", "Læs https://nordlys.dk/\\#top"],
      ["Sidst i teksten #", "Sidst i teksten \\#"],
    ];
    for (const [text, commentary] of cases) {
      expect(linkedinCommentary(text), text).toBe(commentary);
      // What findPost reads back is the person's own text.
      expect(unescapeLittleText(linkedinCommentary(text)), text).toBe(text);
    }
    // A tag's own reserved characters stay escaped inside the template.
    expect(linkedinCommentary("#a_b")).toBe("{hashtag|\\#|a\\_b}");
  });

  it("waits for the daily reset at midnight UTC", () => {
    expect(untilMidnightUtc(Date.parse("2026-03-14T23:00:00Z"))).toBe(3_600_000);
  });
});

describe("finding a share's post among recent posts", () => {
  type P = { link: string; at: string | null; opaque?: boolean };
  const since = new Date("2026-03-14T10:00:00Z");
  const search = (posts: P[], complete: boolean) =>
    searchRecentPosts(posts, {
      complete,
      since,
      listedAt: (p) => (p.at ? new Date(p.at) : null),
      matches: (p) => textHasLink(p.link, "https://ripple.dk/r/Ab3"),
      undecidable: (p) => p.opaque ?? false,
    });

  it("the post when its link is there; never for a longer link that starts the same", () => {
    const mine = { link: "Læs https://ripple.dk/r/Ab3.", at: "2026-03-14T10:01:00Z" };
    expect(search([{ link: "https://ripple.dk/r/Ab3x", at: "2026-03-14T10:02:00Z" }, mine], false)).toBe(mine);
    expect(search([{ link: "https://ripple.dk/r/Ab3x", at: "2026-03-14T10:02:00Z" }], true)).toBeNull();
  });

  it("null only when everything since the share was seen", () => {
    const other = (at: string) => ({ link: "https://ripple.dk/r/Zz9", at });
    expect(search([other("2026-03-14T10:05:00Z")], true)).toBeNull();
    expect(search([other("2026-03-14T10:05:00Z"), other("2026-03-14T09:00:00Z")], false)).toBeNull();
    expect(search([other("2026-03-14T10:05:00Z"), other("2026-03-14T09:59:30Z")], false)).toBe("unknown"); // within the clock slack
    expect(search([other("2026-03-14T10:05:00Z")], false)).toBe("unknown");
    expect(search([{ link: "", at: null }], false)).toBe("unknown");
  });

  it("unknown when a post since the share cannot be told apart (X: t.co without its expansion)", () => {
    expect(search([{ link: "https://t.co/x", at: "2026-03-14T10:05:00Z", opaque: true }], true)).toBe("unknown");
    expect(search([{ link: "https://t.co/x", at: "2026-03-13T10:05:00Z", opaque: true }], true)).toBeNull();
  });

  it("compares reported links by host and path", () => {
    expect(sameLink("https://RIPPLE.dk/r/Ab3/", "https://ripple.dk/r/Ab3")).toBe(true);
    expect(sameLink("https://ripple.dk/r/Ab3x", "https://ripple.dk/r/Ab3")).toBe(false);
    expect(sameLink(undefined, "https://ripple.dk/r/Ab3")).toBe(false);
  });
});

describe("X rate-limit wait", () => {
  const now = Date.parse("2026-03-14T10:00:00Z");
  const inSeconds = (s: number) => String(now / 1000 + s);

  it("until x-rate-limit-reset, or the 24-hour cap's reset when that one ran out", () => {
    expect(xRetryAfterMs({ "x-rate-limit-reset": inSeconds(90) }, now)).toBe(90_000);
    expect(xRetryAfterMs({ "x-rate-limit-reset": inSeconds(90), "x-user-limit-24hour-remaining": "3", "x-user-limit-24hour-reset": inSeconds(5000) }, now)).toBe(90_000);
    expect(xRetryAfterMs({ "x-rate-limit-reset": inSeconds(90), "x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": inSeconds(5000) }, now)).toBe(5_000_000);
    expect(xRetryAfterMs({ "retry-after": "30" }, now)).toBe(30_000);
    expect(xRetryAfterMs({}, now)).toBeUndefined();
  });
});

describe("first_comment: the post without its link", () => {
  it("leaves the tracked link out wherever it stands and tidies the spaces it leaves; other placements keep it", () => {
    const link = "https://ripple.dk/r/Ab3";
    expect(postedText(post({ placement: "first_comment", text: `Læs mere: ${link} #vind` }))).toBe("Læs mere: #vind");
    expect(postedText(post({ placement: "first_comment", text: `Ny fabrik i Esbjerg\n\n${link}` }))).toBe("Ny fabrik i Esbjerg");
    // Another share's longer link is not this one.
    expect(postedText(post({ placement: "first_comment", text: `${link} og ${link}x` }))).toBe("og https://ripple.dk/r/Ab3x");
    expect(postedText(post({ placement: "card", text: `Læs ${link}` }))).toBe(`Læs ${link}`);
    expect(postedText(post({ placement: "text", text: `Læs ${link}` }))).toBe(`Læs ${link}`);
  });

  it("the Bluesky post record of a first_comment share has neither the link, its facet nor a card", () => {
    const record = blueskyPostRecord(post({ placement: "first_comment" }), undefined);
    expect(record.text).toBe("Se @mette.test og #vind");
    expect(record.embed).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain("ripple.dk");
  });

  it("the Bluesky comment's record key follows its post's and is the same on every try", () => {
    const rkey = blueskyRecordKey(post());
    const key = blueskyCommentKey(rkey, `${post().shareId}:comment`);
    expect(key).toBe(blueskyCommentKey(rkey, `${post().shareId}:comment`));
    expect(TID.is(key)).toBe(true);
    expect(key > rkey).toBe(true);
    expect(key).not.toBe(blueskyCommentKey(rkey, "another share:comment"));
  });

  it("X: the words match as X shows them (entities, t.co links), and a post's time comes from its id", () => {
    expect(sameWords("Q&amp;A &lt;3 med https://t.co/abc123  i dag", "Q&A <3 med https://example.dk/x i dag")).toBe(true);
    expect(sameWords("Q&amp;A i dag", "Q&A i morgen")).toBe(false);
    // The example id from X's documentation (2021-10-06).
    expect(xPostTime("1445880548472328192")?.toISOString().slice(0, 10)).toBe("2021-10-06");
    expect(xPostTime("not-an-id")).toBeNull();
  });
});
