import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { schedules } from "@/lib/queue";
import { PUBLISH_ATTEMPTS } from "@/lib/queue/publish";
import { POLL_LEASE_MS, REACH_POLLS_MS } from "@/lib/reach/schedule";
import { startWatchdog, type WatchTarget } from "@/workers/watchdog";

/**
 * The rhythm operators plan around, as the README states it (Operations, Publishing): what
 * runs how often, when reach is asked for, how long a lost poll waits, and when the watchdog
 * restarts a stuck worker or gives up on it.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("the workers' schedules", () => {
  it("claim due reach polls every 30 s, reconcile shares, sweep stories and remake stored reports every minute, refresh tokens every ten minutes", () => {
    const every = Object.fromEntries(schedules.map((s) => [s.name, s.every]));
    expect(every).toMatchObject({
      "polls.claim": 30_000,
      "shares.reconcile": MINUTE,
      "stories.sweep": MINUTE,
      "reports.remake": MINUTE,
      "connections.refresh": 10 * MINUTE,
      heartbeat: 15_000,
    });
  });

  it("ask each share's reach 1 h, 6 h, 1 d, 3 d, 7 d and 30 d after it is published; a claimed poll whose job was lost is claimed again after 15 minutes", () => {
    expect(REACH_POLLS_MS).toEqual([1 * HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR]);
    expect(POLL_LEASE_MS).toBe(15 * MINUTE);
  });

  it("try a publish six times in all", () => {
    expect(PUBLISH_ATTEMPTS).toBe(6);
  });
});

describe("the watchdog, as every workers process starts it", () => {
  it("restarts a worker with work waiting after five minutes without progress, and after three restarts in a row gives the process up", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-07T10:00:00Z") });
    vi.spyOn(log, "error").mockImplementation(() => undefined);
    const start = Date.now();
    const restart = vi.fn(async () => undefined);
    const target: WatchTarget = { name: "publish-x", progressAt: () => start, finishedAt: () => 0, hasWork: async () => true, restart };
    const gaveUp = vi.fn();
    const watchdog = startWatchdog([target], { onGiveUp: gaveUp });
    try {
      vi.setSystemTime(start + 5 * MINUTE - 1_000);
      await watchdog.check();
      expect(restart).not.toHaveBeenCalled();
      for (const restarts of [1, 2, 3]) {
        vi.setSystemTime(start + restarts * 5 * MINUTE);
        await watchdog.check();
        expect(watchdog.restarts("publish-x")).toBe(restarts);
      }
      expect(gaveUp).not.toHaveBeenCalled();
      vi.setSystemTime(start + 20 * MINUTE);
      await watchdog.check();
      expect(gaveUp).toHaveBeenCalledWith("publish-x");
      expect(watchdog.restarts("publish-x")).toBe(3);
    } finally {
      watchdog.stop();
    }
  });
});
