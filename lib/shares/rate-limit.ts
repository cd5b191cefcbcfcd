import type { RedisClient } from "@/lib/queue";
import type { NetworkId } from "@/db/schema";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, type PostWindow } from "@/lib/networks/types";
import { redisKeys } from "@/lib/queue/keys";

/**
 * Sliding, so no stretch of `windowMs` (wherever the network starts its own) gets more than
 * `max`; one Lua script, atomic across workers. Returns 0 and records, else the ms to wait.
 * KEYS[1] is the account's block (refusedByNetwork): while it lasts nothing is allowed.
 */
const SLIDING_WINDOWS = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local blocked = redis.call('PTTL', KEYS[1])
if blocked > 0 then return blocked end
local wait = 0
for i = 2, #KEYS do
  local key = KEYS[i]
  local window = tonumber(ARGV[1 + i * 2])
  local max = tonumber(ARGV[2 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= max then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now, 1)
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1 + i * 2]))
end
return 0
`;

// One tag per network (lib/queue/keys.ts): the script reads the block and both windows at once.

/** The account's window and, where the network limits Ripple's app as a whole, the app's (the adapter's postLimits). */
function windowsOf(network: NetworkId, connectionId: string): Array<[string, PostWindow]> {
  if (!isConnectable(network)) return [];
  const limits = adapterFor(network).postLimits;
  const windows: Array<[string, PostWindow]> = [[redisKeys.postWindowAccount(network, connectionId), limits.account]];
  if (limits.app) windows.push([redisKeys.postWindowApp(network), limits.app]);
  return windows;
}

/**
 * The network refused an account's post with a rate limit and said for how long. The post
 * did not happen, so it gives its place in the windows back; and every other share of the
 * account waits out the same time instead of each trying at once and being refused in turn.
 */
export async function refusedByNetwork(redis: RedisClient, network: NetworkId, connectionId: string, shareId: string, waitMs: number): Promise<void> {
  const batch = redis.multi();
  for (const [key] of windowsOf(network, connectionId)) batch.zrem(key, shareId);
  if (waitMs > 0) batch.set(redisKeys.postBlock(network, connectionId), "1", "PX", Math.ceil(waitMs));
  await batch.exec();
}

type TakeSlot = { ripple_take_post_slot(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number | string> };

export async function takePostSlot(redis: RedisClient, network: NetworkId, connectionId: string, shareId: string, now = Date.now()): Promise<number> {
  const windows = windowsOf(network, connectionId);
  if (windows.length === 0) return 0;
  // A command of the client's own: EVALSHA of the script Redis keeps, not its text every post.
  const client = redis as RedisClient & Partial<TakeSlot>;
  if (!client.ripple_take_post_slot) redis.defineCommand("ripple_take_post_slot", { lua: SLIDING_WINDOWS });
  // ARGV[1 + i * 2] and ARGV[2 + i * 2] are the window and max of KEYS[i]; KEYS[1] is the block.
  const args = [String(now), shareId, "0", "0", ...windows.flatMap(([, w]) => [String(w.windowMs), String(w.max)])];
  return Number(await (redis as RedisClient & TakeSlot).ripple_take_post_slot(windows.length + 1, redisKeys.postBlock(network, connectionId), ...windows.map(([key]) => key), ...args));
}
