import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decryptSecret, encryptSecret, randomBase62, safeEqual, sha256Hex } from "@/lib/crypto";

const key = randomBytes(32);
const otherKey = randomBytes(32);
const token = "ya29.a0AfH6SMB-linkedin-access-token-ÆØÅ";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Replaces one character of the n-th dot-separated part by another valid base64url character. */
function tamper(stored: string, part: number): string {
  const parts = stored.split(".");
  const text = parts[part]!;
  const i = Math.floor(text.length / 2);
  parts[part] = text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1);
  return parts.join(".");
}

describe("secrets at rest (AES-256-GCM)", () => {
  it("decrypts what it encrypted, with the same key and context", () => {
    const stored = encryptSecret(token, "connection-1", key);
    expect(stored.startsWith("v1.")).toBe(true);
    expect(stored).not.toContain(token);
    expect(decryptSecret(stored, "connection-1", key)).toBe(token);
  });

  it("round-trips the empty string", () => {
    expect(decryptSecret(encryptSecret("", "row", key), "row", key)).toBe("");
  });

  it("encrypts the same text differently each time", () => {
    const a = encryptSecret(token, "connection-1", key);
    const b = encryptSecret(token, "connection-1", key);
    expect(a).not.toBe(b);
    expect(decryptSecret(b, "connection-1", key)).toBe(token);
  });

  it("does not decrypt a value copied to another row", () => {
    const stored = encryptSecret(token, "connection-1", key);
    expect(() => decryptSecret(stored, "connection-2", key)).toThrow();
  });

  it("does not decrypt under another key", () => {
    const stored = encryptSecret(token, "connection-1", key);
    expect(() => decryptSecret(stored, "connection-1", otherKey)).toThrow();
  });

  it.each([
    ["iv", 1],
    ["tag", 2],
    ["ciphertext", 3],
  ])("detects a tampered %s", (_name, part) => {
    const stored = encryptSecret(token, "connection-1", key);
    expect(() => decryptSecret(tamper(stored, part), "connection-1", key)).toThrow();
  });

  it("refuses values that are not in its format", () => {
    const stored = encryptSecret(token, "c", key);
    expect(() => decryptSecret(stored.replace(/^v1\./, "v2."), "c", key)).toThrow(/Unrecognised/);
    expect(() => decryptSecret("plain-text-token", "c", key)).toThrow(/Unrecognised/);
  });

  it("uses TOKEN_ENCRYPTION_KEY when no key is passed", () => {
    vi.stubEnv("TOKEN_ENCRYPTION_KEY", key.toString("hex"));
    const stored = encryptSecret(token, "connection-1");
    expect(decryptSecret(stored, "connection-1", key)).toBe(token);
    expect(decryptSecret(encryptSecret(token, "connection-1", key), "connection-1")).toBe(token);
  });

  it("names TOKEN_ENCRYPTION_KEY when it is missing", () => {
    vi.stubEnv("TOKEN_ENCRYPTION_KEY", undefined);
    expect(() => encryptSecret(token, "connection-1")).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });
});

describe("randomBase62", () => {
  it("has the requested length and only base62 characters", () => {
    for (const length of [0, 1, 10, 40, 64]) {
      const value = randomBase62(length);
      expect(value).toHaveLength(length);
      expect(value).toMatch(/^[0-9A-Za-z]*$/);
    }
  });

  it("uses the whole alphabet, roughly evenly", () => {
    const draws = 62_000;
    const counts = new Map<string, number>();
    for (const c of randomBase62(draws)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Chi-square over 61 degrees of freedom: mean 61, sd about 11; 150 is far beyond chance.
    const expected = draws / 62;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(150);
  });

  it("does not repeat itself", () => {
    const values = new Set(Array.from({ length: 1000 }, () => randomBase62(20)));
    expect(values.size).toBe(1000);
  });
});

describe("hashing and comparison", () => {
  it("sha256Hex matches the known digest", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("safeEqual compares exactly, including length", () => {
    expect(safeEqual("secret", "secret")).toBe(true);
    expect(safeEqual("secret", "secreT")).toBe(false);
    expect(safeEqual("secret", "secret2")).toBe(false);
  });
});
