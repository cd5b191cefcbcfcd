import { describe, expect, it } from "vitest";
import { applyDisclosure, disclosureHashtagSchema, hasHashtag } from "@/lib/governance/disclosure";

const TAG = "#nordlysansat";

describe("applyDisclosure", () => {
  it("appends the hashtag after a space on a one-line text", () => {
    expect(applyDisclosure("Godt nyt fra Nordlys", TAG)).toBe("Godt nyt fra Nordlys #nordlysansat");
  });

  it("trims trailing whitespace first", () => {
    expect(applyDisclosure("Godt nyt  \n\t ", TAG)).toBe("Godt nyt #nordlysansat");
  });

  it("puts the hashtag on its own line after a multi-line text", () => {
    expect(applyDisclosure("Godt nyt.\n\nLæs mere på nordlys.dk", TAG)).toBe("Godt nyt.\n\nLæs mere på nordlys.dk\n#nordlysansat");
  });

  it("joins a last line that is already a line of hashtags", () => {
    expect(applyDisclosure("Godt nyt.\n\n#nyheder #energi", TAG)).toBe("Godt nyt.\n\n#nyheder #energi #nordlysansat");
  });

  it("adds a missing # to the configured tag", () => {
    expect(applyDisclosure("Godt nyt", "nordlysansat")).toBe("Godt nyt #nordlysansat");
  });

  it("does not add the tag when it is already there, in any case", () => {
    for (const text of [
      "Godt nyt #nordlysansat",
      "#NordlysAnsat Godt nyt",
      "Godt nyt (#NORDLYSANSAT)",
      "Godt nyt #nordlysansat.",
      "Godt nyt\n#nordlysansat\nmere tekst",
    ]) {
      expect(applyDisclosure(text, TAG)).toBe(text);
    }
  });

  it("does not take a longer tag or a tag glued to a word for the disclosure tag", () => {
    expect(applyDisclosure("Godt nyt #nordlysansatte", TAG)).toBe("Godt nyt #nordlysansatte #nordlysansat");
    expect(applyDisclosure("Godt nyt x#nordlysansat", TAG)).toBe("Godt nyt x#nordlysansat #nordlysansat");
    expect(applyDisclosure("Godt nyt nordlysansat", TAG)).toBe("Godt nyt nordlysansat #nordlysansat");
  });

  it("applies once: applying again changes nothing", () => {
    const once = applyDisclosure("Godt nyt\nmed to linjer", TAG);
    expect(applyDisclosure(once, TAG)).toBe(once);
  });

  it("finds a tag with Danish letters in any case and normalisation", () => {
    expect(applyDisclosure("Nyt fra os #ÆBLEMAND", "#æblemand")).toBe("Nyt fra os #ÆBLEMAND");
    expect(applyDisclosure("Nyt fra os #a\u030Aen", "#åen")).toBe("Nyt fra os #a\u030Aen");
    expect(applyDisclosure("Nyt fra os #æblemandens", "#æblemand")).toBe("Nyt fra os #æblemandens #æblemand");
  });

  it("leaves the text alone without a tag", () => {
    expect(applyDisclosure("Godt nyt  ", null)).toBe("Godt nyt  ");
    expect(applyDisclosure("Godt nyt  ", "")).toBe("Godt nyt  ");
    expect(applyDisclosure("Godt nyt  ", "  ")).toBe("Godt nyt  ");
    expect(applyDisclosure("Godt nyt  ", "#")).toBe("Godt nyt  ");
  });

  it("turns an empty text into the tag alone", () => {
    expect(applyDisclosure("", TAG)).toBe(TAG);
    expect(applyDisclosure("   ", TAG)).toBe(TAG);
  });
});

describe("hasHashtag", () => {
  it("is case-insensitive and whole-tag only", () => {
    expect(hasHashtag("a #NordlysAnsat b", TAG)).toBe(true);
    expect(hasHashtag("a #nordlysansatte b", TAG)).toBe(false);
    expect(hasHashtag("a #nordlys_ansat b", TAG)).toBe(false);
    expect(hasHashtag("a ##nordlysansat", TAG)).toBe(false);
  });
});

describe("disclosureHashtagSchema", () => {
  it("keeps a valid tag and adds a missing #", () => {
    expect(disclosureHashtagSchema.parse("#nordlysansat")).toBe("#nordlysansat");
    expect(disclosureHashtagSchema.parse("  nordlysansat ")).toBe("#nordlysansat");
    expect(disclosureHashtagSchema.parse("#æblemand")).toBe("#æblemand");
    expect(disclosureHashtagSchema.parse("#ansat_2026")).toBe("#ansat_2026");
    expect(disclosureHashtagSchema.parse("#a\u030Aen")).toBe("#åen");
  });

  it("accepts 49 characters after the # and not 50", () => {
    expect(disclosureHashtagSchema.safeParse(`#${"a".repeat(49)}`).success).toBe(true);
    expect(disclosureHashtagSchema.safeParse(`#${"a".repeat(50)}`).success).toBe(false);
  });

  it.each([
    ["a lone #", "#"],
    ["empty", ""],
    ["a space inside", "#nordlys ansat"],
    ["a hyphen", "#nordlys-ansat"],
    ["a second #", "##nordlysansat"],
    ["punctuation", "#ansat!"],
    ["digits only", "#2026"],
  ])("refuses %s", (_name, tag) => {
    expect(disclosureHashtagSchema.safeParse(tag).success).toBe(false);
  });
});
