import { createHmac, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { visitorSalts } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { utcDay } from "@/lib/time";

/**
 * Who clicked, without keeping who: a hash of address, user agent and code under a salt
 * that lives one UTC day (lib/links/retention.ts discards it).
 */

/**
 * HMAC-SHA256 of address, user agent and code under the day's salt. The code is in it so
 * one visitor cannot be followed from link to link; the salt is discarded after the day
 * (lib/links/retention.ts), after which no hash can be tied to an address again.
 */
export function visitorHash(salt: Buffer, ip: string, userAgent: string, code: string): string {
  return createHmac("sha256", salt).update(`${ip}\n${userAgent}\n${code}`).digest("base64url");
}

/**
 * Salts by UTC day, cached in this process until the day is over: one row per day in
 * visitor_salts, made by whichever process needs it first (INSERT … ON CONFLICT DO NOTHING,
 * then read back, so every process and restart hashes with the same salt).
 */
export class SaltCache {
  private readonly salts = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();

  /** The day's salt if this process has it, without waiting. */
  peek(day: string): Buffer | undefined {
    return this.salts.get(day);
  }

  get(db: DbOrTx, day: string): Buffer | Promise<Buffer> {
    const known = this.salts.get(day);
    if (known) return known;
    let pending = this.loading.get(day);
    if (!pending) {
      pending = loadSalt(db, day)
        .then((salt) => {
          // Only today and yesterday are ever asked for: forget older days.
          for (const cached of this.salts.keys()) if (cached < day) this.salts.delete(cached);
          this.salts.set(day, salt);
          return salt;
        })
        .finally(() => this.loading.delete(day));
      this.loading.set(day, pending);
    }
    return pending;
  }
}

async function loadSalt(db: DbOrTx, day: string): Promise<Buffer> {
  await db.insert(visitorSalts).values({ day, salt: randomBytes(32).toString("hex") }).onConflictDoNothing();
  const [row] = await db.select({ salt: visitorSalts.salt }).from(visitorSalts).where(eq(visitorSalts.day, day));
  if (!row) throw new Error(`visitor salt for ${day} vanished`);
  return Buffer.from(row.salt, "hex");
}

/** The day a click belongs to (UTC), the key of its salt and of its unique-visitor row. */
export function clickDay(at: number): string {
  if (at >= today.start && at < today.start + DAY_MS) return today.day;
  const day = utcDay(new Date(at));
  // Remember the day of the latest click: nearly every click falls on it.
  if (at > today.start) today = { start: Date.parse(`${day}T00:00:00Z`), day };
  return day;
}

const DAY_MS = 86_400_000;
let today = { start: 0, day: "" };
