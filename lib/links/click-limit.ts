import { createHmac } from "node:crypto";
import type { RedisClient } from "@/lib/queue";
import { LIMITS } from "@/lib/limits";
import { log } from "@/lib/log";
import { keyBase, redisKeys } from "@/lib/queue/keys";
import type { StreamClick } from "./click-stream";

/**
 * One client cannot pump a link's counters: from one address, at most
 * LIMITS.clicksPerClientLink clicks on one link an hour are written (counted, unique or bot);
 * the rest are dropped by the click consumer. Keyed by a hash of address and code under the
 * day's salt (the user agent left out, so varying it changes nothing), never the address.
 *
 * Not rate-limiter-flexible's counter: a batch written again after a crash must get the same
 * verdicts, so each window remembers which clicks it let through (at most `points` of them)
 * and a click it knows passes again.
 */

/** HMAC-SHA256 of address and code under the day's salt: who clicked which link, without the user agent. */
export function clientLinkHash(salt: Buffer, ip: string, code: string): string {
  return createHmac("sha256", salt).update(`${ip}\n${code}`).digest("base64url");
}

// KEYS: one window per click; ARGV[1] points, ARGV[2] ttl (s), then each click's stream id. The
// click is added first: a member already (a batch written again) passes as before; a new one past
// the limit is taken out again. A window's lifetime starts with its first click.
const ADMIT = `
local points = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  local id = ARGV[i + 2]
  if redis.call('SADD', key, id) == 0 then
    out[i] = 1
  else
    local n = redis.call('SCARD', key)
    if n > points then
      redis.call('SREM', key, id)
      out[i] = 0
    else
      if n == 1 then redis.call('EXPIRE', key, ttl) end
      out[i] = 1
    end
  end
end
return out`;

type Admit = { ripple_admit_clicks: (keys: number, ...args: string[]) => Promise<number[]> };

/** `base`: the key prefix, read from the environment once a batch rather than once a click. */
function windowKey(click: StreamClick & { clientHash: string }, base: string): string {
  const hour = Math.floor(click.at / (LIMITS.clicksPerClientLink.durationS * 1000));
  return redisKeys.clickWindow(hour, click.linkId, click.clientHash, base);
}

/**
 * The stream ids of the clicks past their client's limit. Redis failing here lets every click
 * through (logged): a counter a little high beats clicks lost.
 */
export async function clicksOverLimit(redis: RedisClient, rows: ReadonlyArray<StreamClick & { clientHash: string; eventKey: string }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const client = redis as RedisClient & Partial<Admit>;
  if (!client.ripple_admit_clicks) redis.defineCommand("ripple_admit_clicks", { lua: ADMIT });
  const { points, durationS } = LIMITS.clicksPerClientLink;
  const over = new Set<string>();
  const base = keyBase();
  // Calls of 500 keys keep each script short; they are sent together (one connection, in
  // order), so Redis runs one while the next is encoded.
  const calls: Promise<void>[] = [];
  for (let start = 0; start < rows.length; start += 500) {
    const slice = rows.slice(start, start + 500);
    const call = (redis as RedisClient & Admit).ripple_admit_clicks(slice.length, ...slice.map((row) => windowKey(row, base)), String(points), String(durationS * 2), ...slice.map((r) => r.eventKey));
    calls.push(
      call.then(
        (verdicts) =>
          verdicts.forEach((admitted, i) => {
            if (admitted === 0) over.add(slice[i]!.eventKey);
          }),
        (error: unknown) => {
          log.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, "click limit not checked: counting the batch as it is");
        },
      ),
    );
  }
  await Promise.all(calls);
  return over;
}
