import { describe, expect, it } from "vitest";
import { defaultLocale, formattingLocale, isLocale, languageOf, negotiateLocale } from "@/lib/i18n/locales";

describe("negotiateLocale", () => {
  it.each([
    ["da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7", "da"],
    ["da", "da"],
    ["en-GB,en;q=0.9", "en"],
    ["en-US", "en"],
    ["EN-us", "en"],
    ["nb", "da"],
    ["nb-NO,nb;q=0.9,no;q=0.8", "da"],
    ["nn-NO", "da"],
    ["sv-SE,sv;q=0.9", "da"],
  ])("%j → %s", (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });

  it("follows the quality values, not the order written", () => {
    expect(negotiateLocale("en;q=0.5, da;q=0.9")).toBe("da");
    expect(negotiateLocale("da;q=0.4,en")).toBe("en");
    expect(negotiateLocale("de-DE,de;q=0.9,en;q=0.3,da;q=0.8")).toBe("da");
  });

  it("keeps the written order between equal qualities", () => {
    expect(negotiateLocale("en, da")).toBe("en");
    expect(negotiateLocale("da, en")).toBe("da");
  });

  it("skips unsupported languages to the next supported one", () => {
    expect(negotiateLocale("fr-FR,fr;q=0.9,en;q=0.8")).toBe("en");
    expect(negotiateLocale("de-CH, de;q=0.9, nb;q=0.5")).toBe("da");
  });

  it("ignores languages the browser refuses (q=0)", () => {
    expect(negotiateLocale("en;q=0, fr")).toBeUndefined();
    expect(negotiateLocale("da;q=0, en;q=0.1")).toBe("en");
  });

  it.each([["fr-FR,fr;q=0.9"], ["de"], ["*"], [""], [null], [undefined]])("returns undefined for %j", (header) => {
    expect(negotiateLocale(header)).toBeUndefined();
  });
});

describe("isLocale", () => {
  it("accepts exactly the supported languages", () => {
    expect(isLocale("da")).toBe(true);
    expect(isLocale("en")).toBe(true);
    expect(isLocale("de")).toBe(false);
    expect(isLocale("DA")).toBe(false);
    expect(isLocale(undefined)).toBe(false);
  });

  it("defaults to Danish", () => {
    expect(defaultLocale).toBe("da");
  });
});

describe("formattingLocale", () => {
  it("writes dates and numbers as in the organisation's country, in the reader's language", () => {
    expect(formattingLocale("en", "da")).toBe("en-DK");
    expect(formattingLocale("da", "da")).toBe("da");
    expect(formattingLocale("en", "en")).toBe("en");
    expect(formattingLocale("en", null)).toBe("en");
    const at = new Date("2026-12-07T08:00:00Z");
    const written = new Intl.DateTimeFormat(formattingLocale("en", "da"), { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Copenhagen" }).format(at);
    expect(written).toBe("7 Dec 2026, 09.00");
  });

  it("gives back the language of a locale with a country", () => {
    expect(languageOf("en-DK")).toBe("en");
    expect(languageOf("da")).toBe("da");
    expect(languageOf("de-DE")).toBe(defaultLocale);
  });
});
