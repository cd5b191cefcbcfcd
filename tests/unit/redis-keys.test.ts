import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { QueueKeys } from "bullmq";
import { describe, expect, it } from "vitest";
import { connectableNetworks } from "@/lib/networks/types";
import { bullPrefix, keyBase, queueNames, redisKeys } from "@/lib/queue";

/**
 * Every Redis key Ripple writes, held to Redis Cluster's rules (issue 17, item 2): keys one
 * command, script or MULTI uses together share a slot (else the cluster answers CROSSSLOT),
 * and unrelated ones are spread over the slots, not all in one (else one shard does all).
 */
const calculateSlot = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;

const BASE = "ripple";
const id = (n: number) => `0000000${n}-aaaa-4bbb-8ccc-${String(n).padStart(12, "0")}`;

/** The three masters of a cluster made with `redis-cli --cluster create` (tests/support/redis-cluster.ts): 16384 slots in thirds. */
const master = (slot: number) => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);

/** Every key pattern, with sample keys (varying what varies); a pattern added to redisKeys and not here fails the first test. */
const samples: Record<keyof typeof redisKeys, string[]> = {
  clickStream: [redisKeys.clickStream(BASE)],
  clickBatch: [redisKeys.clickBatch(redisKeys.clickStream(BASE), "batch-1"), redisKeys.clickBatch(redisKeys.clickStream(BASE), "batch-2")],
  clickWindow: [redisKeys.clickWindow(490_000, id(1), "abc", BASE), redisKeys.clickWindow(490_001, id(2), "xyz", BASE)],
  postBlock: connectableNetworks.map((network) => redisKeys.postBlock(network, id(3), BASE)),
  postWindowAccount: connectableNetworks.map((network) => redisKeys.postWindowAccount(network, id(3), BASE)),
  postWindowApp: connectableNetworks.map((network) => redisKeys.postWindowApp(network, BASE)),
  heartbeat: [redisKeys.heartbeat(BASE)],
  link: Array.from({ length: 60 }, (_, i) => redisKeys.link(`c${i.toString(36)}x${i}`, BASE)),
  limit: ["signin", "api", "clicks"].map((name) => `${redisKeys.limit(name, BASE)}:some-client-hash`),
};

/** What BullMQ writes for one queue: its own keys, and a job's hash, lock and logs. */
function bullKeys(queue: string): string[] {
  const keys = new QueueKeys(bullPrefix(queue, BASE));
  return [...Object.values(keys.getKeys(queue)), keys.toKey(queue, "share-1"), keys.toKey(queue, "share-1:lock"), keys.toKey(queue, "share-1:logs"), keys.toKey(queue, "repeat:heartbeat")];
}

const slotsOf = (keys: readonly string[]) => new Set(keys.map(calculateSlot));

describe("Redis keys", () => {
  it("names every key pattern here, each under QUEUE_PREFIX", () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(redisKeys).sort());
    for (const key of [...Object.values(samples).flat(), ...queueNames.flatMap(bullKeys)]) expect(key.startsWith(`${BASE}:`)).toBe(true);
    // QUEUE_PREFIX of old, a hash tag, would pull every key into its slot: its braces are dropped.
    expect(keyBase("{ripple}")).toBe("ripple");
    expect(bullPrefix("publish-x", keyBase("{ripple}"))).toBe("ripple:{publish-x}");
  });

  it("keeps each queue's keys in one slot, as BullMQ's scripts need", () => {
    for (const queue of queueNames) expect(slotsOf(bullKeys(queue)).size, queue).toBe(1);
  });

  it("keeps keys used together in one slot: the click stream with the click windows, an account's block with its windows and its network's", () => {
    // lib/links/click-limit.ts checks hundreds of windows in one script, beside the stream's group.
    // lib/links/click-stream.ts adds a batch and its marker in one script.
    expect(slotsOf([...samples.clickStream, ...samples.clickBatch, ...samples.clickWindow]).size).toBe(1);
    // lib/shares/rate-limit.ts: one script and one MULTI over the block and the windows.
    for (const network of connectableNetworks) {
      const used = [redisKeys.postBlock(network, id(3), BASE), redisKeys.postWindowAccount(network, id(3), BASE), redisKeys.postWindowAccount(network, id(4), BASE), redisKeys.postWindowApp(network, BASE)];
      expect(slotsOf(used).size, network).toBe(1);
    }
  });

  it("spreads what is not used together: every queue on a slot of its own, over all three masters; caches and markers everywhere", () => {
    const queueSlots = queueNames.map((queue) => calculateSlot(bullKeys(queue)[0]!));
    expect(new Set(queueSlots).size).toBe(queueNames.length);
    expect(new Set(queueSlots.map(master)).size).toBe(3);
    expect(slotsOf([...samples.clickStream, ...queueNames.map((q) => bullKeys(q)[0]!)]).size).toBe(queueNames.length + 1);
    // Keys of their own (no tag): the cluster spreads them by the whole key.
    for (const pattern of ["link"] as const) {
      const keys = samples[pattern];
      expect(keys.every((key) => !key.includes("{")), pattern).toBe(true);
      expect(new Set(keys.map((key) => master(calculateSlot(key)))).size, pattern).toBe(3);
    }
    for (const pattern of ["heartbeat", "limit"] as const) expect(samples[pattern].every((key) => !key.includes("{")), pattern).toBe(true);
  });

  it("knows every place that sends several keys at once (a script, MULTI, a pipeline, a multi-key command): one added elsewhere fails here until its keys are checked above", () => {
    // File → what it sends together, each checked by a test above.
    const checked: Record<string, string> = {
      "lib/links/click-limit.ts": "click windows (one script)",
      "lib/links/click-stream.ts": "the click stream and a batch's marker (one script; WAIT in its pipeline)",
      "lib/links/ingest.ts": "the click stream alone (a pipeline of XACK and XDEL)",
      "lib/shares/rate-limit.ts": "an account's block and windows (one script, one MULTI)",
      "lib/shares/reconcile.ts": "job hashes of one queue (one script)",
      "lib/queue/index.ts": "one old-layout queue's keys (one EXISTS; they share the old tag)",
    };
    const multiKey = /\.(eval|evalsha|defineCommand|multi|pipeline|mget|mset|msetnx|unlink|sinter|sunion|sdiff|zunionstore|zinterstore|rename|renamenx|smove|lmove|blmove|rpoplpush|brpoplpush|copy|watch)\(|\.del\([^)]*,/;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.tsx?$/.test(name) && multiKey.test(readFileSync(full, "utf8"))) found.push(full);
      }
    };
    for (const dir of ["lib", "workers", "app", "db"]) walk(dir);
    const unchecked = found.filter((file) => !(file in checked));
    expect(unchecked).toEqual([]);
  });
});
