import { describe, expect, it } from "vitest";
import { checkShareText } from "@/lib/governance/check-text";

const TAG = "#nordlysansat"; // 13 characters
const FAMILY = "👩‍👩‍👧‍👦"; // 25 UTF-8 bytes, 1 grapheme
const rules = { disclosureHashtag: TAG, blockedWords: ["dårlig service", "c++"] };
const noRules = { disclosureHashtag: null, blockedWords: [] };

describe("checkShareText: the disclosure tag", () => {
  it("appends the tag and measures the text with it", () => {
    const result = checkShareText("x", "Godt nyt fra Nordlys", rules);
    expect(result.text).toBe("Godt nyt fra Nordlys #nordlysansat");
    expect(result.measure.length).toBe(20 + 1 + 13);
    expect(result).toMatchObject({ ok: true, problems: [], blocked: [] });
  });

  it("reports tooLong for a text that fits without the tag but not with it", () => {
    const text = "a".repeat(270); // 270 on X; 270 + space + 13 = 284 with the tag
    expect(checkShareText("x", text, noRules)).toMatchObject({ ok: true, problems: [] });
    const result = checkShareText("x", text, rules);
    expect(result.measure.length).toBe(284);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ code: "tooLong" }]);
  });

  it("fits a text exactly at the limit with the tag counted", () => {
    const text = "a".repeat(280 - 14);
    expect(checkShareText("x", text, rules)).toMatchObject({ ok: true, measure: { length: 280, remaining: 0 } });
    expect(checkShareText("x", `${text}a`, rules).problems).toEqual([{ code: "tooLong" }]);
  });

  it("does not add the tag twice", () => {
    const text = "Godt nyt #NordlysAnsat";
    const result = checkShareText("linkedin", text, rules);
    expect(result.text).toBe(text);
    expect(result.measure.length).toBe(text.length);
  });

  it("counts the tag in Bluesky's byte limit", () => {
    const text = FAMILY.repeat(120); // exactly 3,000 bytes
    expect(checkShareText("bluesky", text, noRules).ok).toBe(true);
    const result = checkShareText("bluesky", text, rules);
    expect(result.measure).toMatchObject({ length: 120 + 1 + 13, bytes: 3000 + 1 + 13 });
    expect(result.problems).toEqual([{ code: "tooManyBytes" }]);
  });

  it("uses the Mastodon instance's limit", () => {
    const text = "a".repeat(600);
    expect(checkShareText("mastodon", text, rules).problems).toEqual([{ code: "tooLong" }]);
    expect(checkShareText("mastodon", text, { ...rules, limit: 1000 })).toMatchObject({ ok: true, measure: { limit: 1000, length: 614 } });
  });
});

describe("checkShareText: blocked phrases", () => {
  it("reports each blocked phrase once, with the phrase as detail", () => {
    const text = "Ingen dårlig service her. Dårlig   service? Aldrig. Vi koder i C++.";
    const result = checkShareText("linkedin", text, rules);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      { code: "blockedPhrase", detail: "dårlig service" },
      { code: "blockedPhrase", detail: "c++" },
    ]);
    expect(result.blocked.map((b) => [b.match, b.index])).toEqual([
      ["dårlig service", text.indexOf("dårlig")],
      ["Dårlig   service", text.indexOf("Dårlig")],
      ["C++", text.indexOf("C++")],
    ]);
  });

  it("reports blocked phrases together with a length problem", () => {
    const text = `dårlig service ${"a".repeat(300)}`;
    expect(checkShareText("bluesky", text, rules).problems).toEqual([
      { code: "tooLong" },
      { code: "blockedPhrase", detail: "dårlig service" },
    ]);
  });

  it("finds nothing in a clean text", () => {
    expect(checkShareText("threads", "Service uden fejl", rules)).toMatchObject({ ok: true, blocked: [] });
  });
});

describe("checkShareText: empty and invalid text", () => {
  it.each(["", "   ", "\n\t"])("reports %j as empty, and nothing else", (text) => {
    const result = checkShareText("linkedin", text, rules);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ code: "empty" }]);
  });

  it("reports empty on every network, tag or not", () => {
    for (const network of ["linkedin", "x", "mastodon", "bluesky", "facebook", "xing", "threads"] as const) {
      expect(checkShareText(network, "", noRules).problems).toEqual([{ code: "empty" }]);
    }
  });

  it("reports characters X refuses", () => {
    expect(checkShareText("x", "hej \uFFFE", noRules).problems).toEqual([{ code: "invalidCharacters" }]);
  });
});
