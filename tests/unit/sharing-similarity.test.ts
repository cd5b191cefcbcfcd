import { describe, expect, it } from "vitest";
import { duplicateWarning, NEAR_DUPLICATE, similarity } from "@/lib/shares/similarity";

/**
 * Whether an employee's text reads as a copy of what colleagues already posted: word pairs
 * (bigrams), ignoring case, punctuation, links and spacing, with Danish letters as letters.
 */

const LONG =
  "I dag åbner vi vores nye kontor i Aarhus med plads til halvtreds kolleger der skal arbejde tæt på kunderne i hele Jylland og vi glæder os til at byde velkommen til alle";

describe("similarity: identical texts", () => {
  it("calls texts identical that differ only in case, punctuation, links and spacing", () => {
    const a = "Vi åbner et nyt kontor i Aarhus! https://nordlys.example/aarhus";
    const b = "  vi ÅBNER et nyt kontor — i   Aarhus…\nLæs mere: http://localhost:3999/r/AbCdEfGhIj ";
    // "Læs mere" is two words more; without them the texts are the same words in the same order.
    expect(similarity(a, "VI ÅBNER ET NYT KONTOR I AARHUS.")).toBe(1);
    expect(similarity(a, "vi åbner, et nyt kontor; i aarhus https://other.example/x?y=1")).toBe(1);
    expect(duplicateWarning("Vi åbner et nyt kontor i Aarhus", [a])).toEqual({ kind: "identical", similarity: 1 });
    expect(similarity(a, b)).toBeLessThan(1);
  });

  it("treats two empty or link-only texts as the same", () => {
    expect(similarity("", "")).toBe(1);
    expect(similarity("https://a.example", "  …  ")).toBe(1);
  });
});

describe("similarity: near copies", () => {
  it("calls a long text with one word swapped nearly identical", () => {
    const swapped = LONG.replace("halvtreds", "fyrre");
    const s = similarity(LONG, swapped);
    expect(s).toBeLessThan(1);
    expect(s).toBeGreaterThanOrEqual(NEAR_DUPLICATE);
    expect(duplicateWarning(swapped, ["Noget helt andet", LONG])).toEqual({ kind: "nearlyIdentical", similarity: Math.round(s * 100) / 100 });
  });

  it("does not call a reordered text with the same words identical (word pairs differ)", () => {
    const words = "vindmøller bygger vi ved Esbjerg sammen med kommunen";
    const reordered = "sammen med kommunen bygger vi vindmøller ved Esbjerg";
    expect(similarity(words, reordered)).toBeLessThan(1);
    expect(duplicateWarning(reordered, [words])?.kind).not.toBe("identical");

    const reversed = LONG.split(" ").reverse().join(" ");
    expect(duplicateWarning(reversed, [LONG])).toBeNull();
  });

  it("calls an unrelated text no copy (null)", () => {
    expect(duplicateWarning("Solceller på taget af lageret i Kolding", [LONG, "Vi søger en ny elektriker"])).toBeNull();
    expect(duplicateWarning(LONG, [])).toBeNull();
    expect(similarity("æble", "pære")).toBe(0);
  });

  it("takes the closest colleague's text", () => {
    const near = LONG.replace("Jylland", "Danmark");
    expect(duplicateWarning(LONG, ["Noget andet", near, LONG.toUpperCase()])).toEqual({ kind: "identical", similarity: 1 });
  });
});

describe("similarity: Danish letters", () => {
  it("treats æ, ø and å as letters in either case, and a decomposed å as å", () => {
    expect(similarity("Grøn strøm på Fanø", "GRØN STRØM PÅ FANØ!")).toBe(1);
    expect(similarity("Blåbær og æbler", "Bla\u030Abær og æbler")).toBe(1);
    expect(similarity("ÆØÅ æøå", "æøå ÆØÅ")).toBe(1);
  });

  it("does not take a Danish letter as a word break, nor a letter for its look-alike", () => {
    // "Rødgrød" is one word; splitting on ø would make "r", "dgr", "d".
    expect(similarity("Rødgrød med fløde", "R dgr d med fl de")).toBeLessThan(NEAR_DUPLICATE);
    expect(similarity("Færøerne i dag", "Faeroerne i dag")).toBeLessThan(1);
    expect(similarity("før og nu", "for og nu")).toBeLessThan(1);
  });
});
