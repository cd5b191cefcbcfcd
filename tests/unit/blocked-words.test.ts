import { describe, expect, it } from "vitest";
import { blockedPhraseSchema, blockedPhrasesSchema, findBlockedPhrases, validateBlockedPhrase } from "@/lib/governance/blocked-words";

const find = (text: string, ...phrases: string[]) => findBlockedPhrases(text, phrases);

describe("findBlockedPhrases: whole words", () => {
  it("finds a word standing alone, next to punctuation and in brackets", () => {
    expect(find("rød", "rød")).toEqual([{ phrase: "rød", match: "rød", index: 0 }]);
    expect(find("Rød!", "rød")).toEqual([{ phrase: "rød", match: "Rød", index: 0 }]);
    expect(find("(rød)", "rød")).toEqual([{ phrase: "rød", match: "rød", index: 1 }]);
    expect(find("Farven er rød.", "rød")).toEqual([{ phrase: "rød", match: "rød", index: 10 }]);
    expect(find("«rød»", "rød")).toHaveLength(1);
  });

  it("does not find a word inside a longer word", () => {
    expect(find("Vores kursmålsætning for 2027", "kursmål")).toEqual([]);
    expect(find("Vi spiser rødgrød", "grød")).toEqual([]);
    expect(find("Vi spiser rødgrød", "rød")).toEqual([]);
    expect(find("rød2", "rød")).toEqual([]);
    expect(find("2rød", "rød")).toEqual([]);
  });

  it("treats æ, ø and å as letters, where a plain \\b would not", () => {
    // With \b, "blå" would be found in "blåbær" (å is no \w) and "bær" in "blåbær".
    expect(find("blåbær", "blå")).toEqual([]);
    expect(find("blåbær", "bær")).toEqual([]);
    expect(find("søndag", "søn")).toEqual([]);
    expect(find("æblekage", "æble")).toEqual([]);
    expect(find("kageæble", "æble")).toEqual([]);
    expect(find("Min søn.", "søn")).toEqual([{ phrase: "søn", match: "søn", index: 4 }]);
    expect(find("æble", "æble")).toEqual([{ phrase: "æble", match: "æble", index: 0 }]);
  });

  it("treats other scripts' letters as letters too", () => {
    expect(find("Привет мир", "мир")).toEqual([{ phrase: "мир", match: "мир", index: 7 }]);
    expect(find("Приветмир", "мир")).toEqual([]);
  });
});

describe("findBlockedPhrases: case and normalisation", () => {
  it("folds case, Danish letters included", () => {
    expect(find("ÆBLE", "æble")).toEqual([{ phrase: "æble", match: "ÆBLE", index: 0 }]);
    expect(find("æble", "ÆBLE")).toEqual([{ phrase: "ÆBLE", match: "æble", index: 0 }]);
    expect(find("Ærø Øl Århus", "ærø", "øl", "århus").map((m) => m.match)).toEqual(["Ærø", "Øl", "Århus"]);
  });

  it("matches a decomposed å against a composed one, both ways, and reports the original text", () => {
    const decomposed = "Velkommen til A\u030Arhus!";
    expect(find(decomposed, "århus")).toEqual([{ phrase: "århus", match: "A\u030Arhus", index: 14 }]);
    expect(find("Velkommen til Århus!", "a\u030Arhus")).toEqual([{ phrase: "a\u030Arhus", match: "Århus", index: 14 }]);
  });

  it("keeps offsets right after a decomposed letter earlier in the text", () => {
    const text = "A\u030Arhus og o\u0308l og rød";
    const [hit] = find(text, "rød");
    expect(hit).toEqual({ phrase: "rød", match: "rød", index: text.indexOf("rød") });
  });

  it("does not find a word that runs on with a combining mark", () => {
    // "x" + U+0301 has no composed form: it stays two code points, one grapheme.
    expect(find("x\u0301", "x")).toEqual([]);
  });
});

describe("findBlockedPhrases: phrases", () => {
  it("matches any run of whitespace inside a phrase", () => {
    const text = "Det var dårlig\n\t  service i dag";
    expect(find(text, "dårlig service")).toEqual([{ phrase: "dårlig service", match: "dårlig\n\t  service", index: 8 }]);
    expect(find("dårlig service", "dårlig    service")).toHaveLength(1);
    expect(find("dårlig\u00A0service", "dårlig service")).toHaveLength(1);
  });

  it("matches only the whole phrase", () => {
    expect(find("dårlig servicemedarbejder", "dårlig service")).toEqual([]);
    expect(find("meget dårligservice", "dårlig service")).toEqual([]);
    expect(find("dårlig", "dårlig service")).toEqual([]);
  });

  it("trims a configured phrase", () => {
    expect(find("rød", "  rød  ")).toEqual([{ phrase: "rød", match: "rød", index: 0 }]);
  });
});

describe("findBlockedPhrases: phrases are literal, never patterns", () => {
  it.each([
    ["a.b", "a.b", "axb"],
    ["c++", "Vi koder i c++ hver dag", "Vi koder i c hver dag"],
    ["(x", "se (x her", "se x her"],
    ["[", "a [ b", "a b"],
    ["\\", "C:\\sti", "C:/sti"],
    ["$100", "Det koster $100.", "Det koster 100."],
    [".*", "stjerne .* her", "alt muligt"],
    ["a|b", "a|b", "a"],
    ["x{2}", "x{2}", "xx"],
    ["^start", "^start", "start"],
    ["?", "hvorfor?", "hvorfor"],
  ])("%s is found literally and nowhere else", (phrase, present, absent) => {
    const hits = find(present, phrase);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.match.toLowerCase()).toBe(phrase.toLowerCase());
    expect(find(absent, phrase)).toEqual([]);
  });

  it("keeps word boundaries on the word side of a phrase with punctuation", () => {
    expect(find("abc++", "c++")).toEqual([]);
    expect(find("Det koster $1000", "$100")).toEqual([]);
    expect(find("(xy", "(x")).toEqual([]);
  });
});

describe("findBlockedPhrases: lists and results", () => {
  it("reports every match in order of appearance, across phrases", () => {
    expect(find("rød og blå og rød", "blå", "rød")).toEqual([
      { phrase: "rød", match: "rød", index: 0 },
      { phrase: "blå", match: "blå", index: 7 },
      { phrase: "rød", match: "rød", index: 14 },
    ]);
  });

  it("reports overlapping phrases each, the earlier in the list first at the same place", () => {
    const hits = find("dårlig service", "dårlig", "dårlig service");
    expect(hits.map((h) => [h.phrase, h.index])).toEqual([
      ["dårlig", 0],
      ["dårlig service", 0],
    ]);
  });

  it("ignores empty and whitespace-only phrases and an empty list", () => {
    expect(find("noget tekst", "", "   ", "\n")).toEqual([]);
    expect(find("noget tekst")).toEqual([]);
    expect(find("", "rød")).toEqual([]);
  });

  it("reports a phrase listed twice in different case only once", () => {
    expect(find("Rød", "rød", "RØD", " rød ")).toEqual([{ phrase: "rød", match: "Rød", index: 0 }]);
  });
});

describe("blockedPhraseSchema", () => {
  it("trims and accepts 1 to 100 characters with a letter or digit", () => {
    expect(blockedPhraseSchema.parse("  dårlig service ")).toBe("dårlig service");
    expect(blockedPhraseSchema.parse("c++")).toBe("c++");
    expect(blockedPhraseSchema.parse("$100")).toBe("$100");
    expect(blockedPhraseSchema.parse("x".repeat(100))).toHaveLength(100);
  });

  it("normalises to NFC", () => {
    expect(blockedPhraseSchema.parse("a\u030Arhus")).toBe("århus");
  });

  it.each([
    ["empty", ""],
    ["whitespace", "   "],
    ["punctuation only", "!!!"],
    ["a bracket alone", "["],
    ["over 100 characters", "x".repeat(101)],
  ])("refuses %s", (_name, phrase) => {
    expect(blockedPhraseSchema.safeParse(phrase).success).toBe(false);
    expect(validateBlockedPhrase(phrase)).not.toBeNull();
  });

  it("validateBlockedPhrase answers null for a good phrase and a message key otherwise", () => {
    expect(validateBlockedPhrase("rød")).toBeNull();
    expect(validateBlockedPhrase("")).toBe("blockedPhraseEmpty");
    expect(validateBlockedPhrase("x".repeat(101))).toBe("blockedPhraseTooLong");
    expect(validateBlockedPhrase("!!!")).toBe("blockedPhraseNoLetters");
  });

  it("a list drops duplicates that differ in case or spacing and allows at most 500", () => {
    expect(blockedPhrasesSchema.parse(["rød", "RØD", "dårlig  service", "Dårlig service", "blå"])).toEqual(["rød", "dårlig  service", "blå"]);
    expect(blockedPhrasesSchema.safeParse(Array.from({ length: 501 }, (_, i) => `ord${i}`)).success).toBe(false);
  });
});
