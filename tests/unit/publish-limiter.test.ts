import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/env";
import { publishQueues } from "@/lib/queue";
import { publishWorkerConfig } from "@/workers/processors/publish";

const valid = {
  DATABASE_URL: "postgres://ripple@127.0.0.1:5432/ripple",
  REDIS_URL: "redis://127.0.0.1:6379",
  APP_URL: "https://ripple.example.com",
  AUTH_SECRET: "s".repeat(32),
  TOKEN_ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
  SMTP_URL: "smtp://mail.example.com:587",
};

/** Each publish queue's limiter as the workers start it from this environment. */
function limiters(source: Record<string, string>) {
  const env = parseEnv({ ...valid, ...source });
  return Object.fromEntries(publishQueues.map((queue) => [queue, publishWorkerConfig(queue, { concurrency: env.PUBLISH_CONCURRENCY, ratePerS: env.PUBLISH_RATE_PER_S }).limiter]));
}

describe("the publish queues' guard against a runaway burst (PUBLISH_RATE_PER_S)", () => {
  it("starts at most 1,000 jobs a second per network queue by default; Bluesky and Threads, one shared server for most accounts, 50", () => {
    expect(limiters({})).toEqual({
      "publish-linkedin": { max: 1_000, duration: 1_000 },
      "publish-x": { max: 1_000, duration: 1_000 },
      "publish-mastodon": { max: 1_000, duration: 1_000 },
      "publish-bluesky": { max: 50, duration: 1_000 },
      "publish-threads": { max: 50, duration: 1_000 },
    });
  });

  it("follows the setting, and never lifts the shared-server networks above 50", () => {
    expect(limiters({ PUBLISH_RATE_PER_S: "20" })).toMatchObject({ "publish-linkedin": { max: 20 }, "publish-bluesky": { max: 20 } });
    expect(limiters({ PUBLISH_RATE_PER_S: "5000" })).toMatchObject({ "publish-x": { max: 5_000 }, "publish-threads": { max: 50 } });
  });

  it("refuses a rate that is not a positive whole number, naming the variable", () => {
    for (const bad of ["0", "-5", "2.5", "fast"]) {
      let problems: string[] = [];
      try {
        parseEnv({ ...valid, PUBLISH_RATE_PER_S: bad });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        problems = (error as ConfigError).problems;
      }
      expect(problems.map((line) => line.split(" ")[0])).toEqual(["PUBLISH_RATE_PER_S"]);
    }
  });
});
