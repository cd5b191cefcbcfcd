import { RichText } from "@atproto/api";
import * as twitterTextModule from "twitter-text";
import { describe, expect, it } from "vitest";
import { networkIds } from "@/db/schema";
import { measureText, textLimits } from "@/lib/networks/measure";

// twitter-text is CommonJS; under Node's ESM loader its functions sit on `default`.
type TwitterText = typeof twitterTextModule;
const twitter: TwitterText = (twitterTextModule as unknown as { default?: TwitterText }).default ?? twitterTextModule;

const FAMILY = "👩‍👩‍👧‍👦"; // 4 women/girl/boy code points joined by 3 ZWJ: 7 code points
const FLAG_DK = "🇩🇰";
const THUMB_MEDIUM = "👍🏽";
const KEYCAP_ONE = "1️⃣"; // "1" U+FE0F U+20E3
const A_RING_DECOMPOSED = "a\u030A"; // "a" + combining ring above = "å"

const corpus: Array<[string, string]> = [
  ["plain ASCII", "Hello world"],
  ["Danish letters", "Rødgrød med fløde — ÆØÅ æøå"],
  ["family ZWJ sequence", FAMILY],
  ["flag", FLAG_DK],
  ["skin tone", THUMB_MEDIUM],
  ["keycap", KEYCAP_ONE],
  ["several emoji", `${FAMILY}${FLAG_DK}${THUMB_MEDIUM}${KEYCAP_ONE}😀`],
  ["CJK", "日本語のテキスト"],
  ["Korean", "한국어 텍스트"],
  ["combining marks", `${A_RING_DECOMPOSED}rhus, cafe\u0301, n\u0303`],
  ["URL with scheme", "Læs mere: https://example.com/nyheder/2026/ripple?utm_source=x"],
  ["URL without scheme", "Besøg nordlys.dk i dag"],
  ["long URL", `Se https://example.com/${"a".repeat(300)}`],
  ["two URLs", "https://a.example.com og http://b.example.org/sti"],
  ["mention and hashtag", "Tak @alice #nordlysansat"],
  ["newlines and tabs", "Linje 1\nLinje 2\n\n\tIndrykket"],
  ["mixed", `Ny rapport 📈 fra Nordlys: 日本 ${FLAG_DK} https://nordlys.dk/rapport #ansat ${FAMILY} æøå`],
  ["280 ASCII", "a".repeat(280)],
  ["281 ASCII", "a".repeat(281)],
  ["140 CJK", "日".repeat(140)],
  ["141 CJK", "日".repeat(141)],
  ["140 emoji", "😀".repeat(140)],
  ["141 emoji", "😀".repeat(141)],
  ["300 family emoji", FAMILY.repeat(300)],
  ["empty", ""],
  ["noncharacter", "hej \uFFFE"],
];

describe("textLimits", () => {
  it("has a limit for every network id", () => {
    for (const id of networkIds) expect(textLimits[id].limit).toBeGreaterThan(0);
  });

  it("uses the documented limits (networks.md)", () => {
    expect(textLimits.linkedin).toMatchObject({ limit: 3000, unit: "characters" });
    expect(textLimits.x).toMatchObject({ limit: 280, unit: "weighted" });
    expect(textLimits.bluesky).toMatchObject({ limit: 300, unit: "graphemes", byteLimit: 3000 });
    expect(textLimits.mastodon).toMatchObject({ limit: 500 });
    expect(textLimits.threads).toMatchObject({ limit: 500 });
  });
});

describe("X agrees with twitter-text", () => {
  it.each(corpus)("%s", (_name, text) => {
    const parsed = twitter.parseTweet(text);
    const measured = measureText("x", text);
    expect(measured.length).toBe(parsed.weightedLength);
    expect(measured.ok).toBe(parsed.valid);
    expect(measured.remaining).toBe(280 - parsed.weightedLength);
  });
});

describe("X, hand-checked", () => {
  it.each([
    ["280 'a' is ok", "a".repeat(280), 280, true],
    ["281 'a' is not", "a".repeat(281), 281, false],
    ["Danish letters weigh 1", "æøåÆØÅ", 6, true],
    ["CJK weighs 2", "日本語", 6, true],
    ["140 CJK fit exactly", "日".repeat(140), 280, true],
    ["141 CJK do not", "日".repeat(141), 282, false],
    ["a ZWJ family is one emoji of weight 2", FAMILY, 2, true],
    ["a flag weighs 2", FLAG_DK, 2, true],
    ["a skin-toned emoji weighs 2", THUMB_MEDIUM, 2, true],
    ["a keycap weighs 2", KEYCAP_ONE, 2, true],
    ["a decomposed å is normalised to one character", `${A_RING_DECOMPOSED}rhus`, 5, true],
    ["a URL counts 23", "Se https://example.com/", 3 + 23, true],
    ["a URL without scheme counts 23", "Besøg nordlys.dk i dag", 6 + 23 + 6, true],
    ["a 300-character URL still counts 23", `Se https://example.com/${"a".repeat(300)}`, 3 + 23, true],
    ["256 letters, a space and a URL fit exactly", `${"a".repeat(256)} https://example.com/x`, 256 + 1 + 23, true],
    ["257 letters, a space and a URL do not", `${"a".repeat(257)} https://example.com/x`, 257 + 1 + 23, false],
    ["empty text is not ok", "", 0, false],
  ] as const)("%s", (_name, text, length, ok) => {
    const measured = measureText("x", text);
    expect(measured.length).toBe(length);
    expect(measured.ok).toBe(ok);
  });

  it("takes a longer limit for an account allowed longer posts", () => {
    const text = "a".repeat(1000);
    expect(measureText("x", text).ok).toBe(false);
    expect(measureText("x", text, { limit: 25_000 })).toMatchObject({ length: 1000, limit: 25_000, ok: true });
  });
});

describe("Bluesky agrees with RichText", () => {
  it.each(corpus)("%s", (_name, text) => {
    const rt = new RichText({ text });
    const measured = measureText("bluesky", text);
    expect(measured.length).toBe(rt.graphemeLength);
    expect(measured.bytes).toBe(rt.length);
    expect(measured.byteLimit).toBe(3000);
    expect(measured.ok).toBe(text.length > 0 && rt.graphemeLength <= 300 && rt.length <= 3000);
  });
});

describe("Bluesky, hand-checked", () => {
  it.each([
    // 7 code points: 4 emoji × 4 bytes + 3 ZWJ × 3 bytes = 25 bytes.
    ["a ZWJ family", FAMILY, 1, 25],
    ["Danish letters", "æøå", 3, 6],
    ["a flag: two regional indicators", FLAG_DK, 1, 8],
    ["a skin-toned emoji", THUMB_MEDIUM, 1, 8],
    ["a keycap: 1 + 3 + 3 bytes", KEYCAP_ONE, 1, 7],
    ["CJK: 3 bytes each", "日本語", 3, 9],
    ["a decomposed å: 1 grapheme, 3 bytes", A_RING_DECOMPOSED, 1, 3],
  ] as const)("%s", (_name, text, graphemes, bytes) => {
    expect(measureText("bluesky", text)).toMatchObject({ length: graphemes, bytes, ok: true });
  });

  it("allows exactly 300 graphemes and not 301", () => {
    expect(measureText("bluesky", "a".repeat(300))).toMatchObject({ length: 300, ok: true, remaining: 0 });
    expect(measureText("bluesky", "a".repeat(301))).toMatchObject({ length: 301, ok: false, remaining: -1 });
  });

  it("allows exactly 3,000 bytes and not 3,001, whatever the grapheme count", () => {
    expect(measureText("bluesky", FAMILY.repeat(120))).toMatchObject({ length: 120, bytes: 3000, ok: true });
    expect(measureText("bluesky", `${FAMILY.repeat(120)}a`)).toMatchObject({ length: 121, bytes: 3001, ok: false });
  });
});

describe("Mastodon", () => {
  it("counts grapheme clusters", () => {
    expect(measureText("mastodon", `${FAMILY}${FLAG_DK}${THUMB_MEDIUM}${KEYCAP_ONE}`).length).toBe(4);
    expect(measureText("mastodon", `${A_RING_DECOMPOSED}rhus`).length).toBe(5);
    expect(measureText("mastodon", "日本語").length).toBe(3);
  });

  it("counts a URL as 23 characters however long it is", () => {
    expect(measureText("mastodon", "Læs https://example.com/").length).toBe(4 + 23);
    expect(measureText("mastodon", `Læs https://example.com/${"a".repeat(600)}`)).toMatchObject({ length: 4 + 23, ok: true });
    expect(measureText("mastodon", "https://a.example.com og http://b.example.org/sti").length).toBe(23 + 4 + 23);
  });

  it("counts a URL without a scheme as written, as Mastodon does", () => {
    expect(measureText("mastodon", "Besøg nordlys.dk i dag").length).toBe("Besøg nordlys.dk i dag".length);
  });

  it("counts a remote mention by its username only", () => {
    expect(measureText("mastodon", "Hej @alice@mastodon.social").length).toBe("Hej @alice".length);
    expect(measureText("mastodon", "@bob@example.org og @alice@social.example.dk").length).toBe("@bob og @alice".length);
  });

  it("counts a local mention and an e-mail address as written", () => {
    expect(measureText("mastodon", "Hej @alice").length).toBe(10);
    expect(measureText("mastodon", "Skriv til bob@example.com").length).toBe("Skriv til bob@example.com".length);
  });

  it("does not shorten a mention inside a URL", () => {
    expect(measureText("mastodon", "https://mastodon.social/@alice@example.org").length).toBe(23);
  });

  it("allows exactly 500 by default and not 501", () => {
    expect(measureText("mastodon", "a".repeat(500))).toMatchObject({ length: 500, limit: 500, ok: true, remaining: 0 });
    expect(measureText("mastodon", "a".repeat(501))).toMatchObject({ ok: false, remaining: -1 });
  });

  it("respects the instance's own limit", () => {
    expect(measureText("mastodon", "a".repeat(1000), { limit: 1000 })).toMatchObject({ limit: 1000, ok: true });
    expect(measureText("mastodon", "a".repeat(1001), { limit: 1000 })).toMatchObject({ ok: false, remaining: -1 });
    expect(measureText("mastodon", "a".repeat(600), { limit: 1000 }).ok).toBe(true);
    expect(measureText("mastodon", "a".repeat(600)).ok).toBe(false);
  });

  it("respects the instance's characters reserved per URL", () => {
    expect(measureText("mastodon", "https://example.com/abc", { urlLength: 30 }).length).toBe(30);
  });
});

describe("LinkedIn, Facebook and XING count UTF-16 code units", () => {
  it.each([
    ["linkedin", 3000],
    ["facebook", 5000],
    ["xing", 3000],
  ] as const)("%s: exactly %i is ok, one more is not", (network, limit) => {
    expect(measureText(network, "a".repeat(limit))).toMatchObject({ length: limit, ok: true, remaining: 0 });
    expect(measureText(network, "a".repeat(limit + 1))).toMatchObject({ length: limit + 1, ok: false, remaining: -1 });
  });

  it("counts an emoji outside the BMP as 2 and a Danish letter as 1", () => {
    expect(measureText("linkedin", "😀").length).toBe(2);
    expect(measureText("linkedin", "æøåÆØÅ").length).toBe(6);
    expect(measureText("linkedin", FAMILY).length).toBe(11); // 4 surrogate pairs + 3 ZWJ
    expect(measureText("linkedin", "😀".repeat(1500)).ok).toBe(true);
    expect(measureText("linkedin", `${"😀".repeat(1500)}a`).ok).toBe(false);
  });
});

describe("Threads counts emoji in UTF-8 bytes", () => {
  it("counts text in characters and each emoji in its UTF-8 bytes", () => {
    expect(measureText("threads", "æøå").length).toBe(3);
    expect(measureText("threads", "👍").length).toBe(4);
    expect(measureText("threads", THUMB_MEDIUM).length).toBe(8);
    expect(measureText("threads", FAMILY).length).toBe(25);
    expect(measureText("threads", FLAG_DK).length).toBe(8);
    expect(measureText("threads", KEYCAP_ONE).length).toBe(7);
    expect(measureText("threads", `hi ${FLAG_DK}`).length).toBe(3 + 8);
  });

  it("allows exactly 500 and not 501", () => {
    expect(measureText("threads", "a".repeat(500))).toMatchObject({ length: 500, ok: true });
    expect(measureText("threads", "a".repeat(501)).ok).toBe(false);
    expect(measureText("threads", "👍".repeat(125))).toMatchObject({ length: 500, ok: true });
    expect(measureText("threads", `${"👍".repeat(125)}a`).ok).toBe(false);
  });
});

describe("every network", () => {
  it.each([...networkIds])("%s: empty text is not ok, and remaining is limit − length", (network) => {
    expect(measureText(network, "").ok).toBe(false);
    const measured = measureText(network, "Hej verden");
    expect(measured).toMatchObject({ network, ok: true, limit: textLimits[network].limit });
    expect(measured.remaining).toBe(measured.limit - measured.length);
  });

  it("refuses an unknown network and a limit that is not a positive integer", () => {
    expect(() => measureText("myspace" as never, "x")).toThrow(RangeError);
    expect(() => measureText("mastodon", "x", { limit: 0 })).toThrow(RangeError);
    expect(() => measureText("mastodon", "x", { limit: 1.5 })).toThrow(RangeError);
  });
});
