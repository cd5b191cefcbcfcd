import { describe, expect, it } from "vitest";
import { ConfigError, envFor, parseEnv } from "@/lib/env";
import { publishQueues } from "@/lib/queue";
import { publishWorkerConfig } from "@/workers/processors/publish";

/** A complete configuration an operator might write: every required variable, email sign-in. */
const valid = {
  DATABASE_URL: "postgres://ripple@127.0.0.1:5432/ripple",
  REDIS_URL: "redis://127.0.0.1:6379",
  APP_URL: "https://ripple.example.com",
  AUTH_SECRET: "s".repeat(32),
  TOKEN_ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
  SMTP_URL: "smtp://mail.example.com:587",
} satisfies Record<string, string>;

const required = ["DATABASE_URL", "REDIS_URL", "APP_URL", "AUTH_SECRET", "TOKEN_ENCRYPTION_KEY"] as const;
const otherVariables = [...required, "SMTP_URL", "QUEUE_PREFIX", "PORT", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "DEMO_MODE"];

/** The ConfigError a source raises; fails the test if it parses. */
function configError(source: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, but the configuration was accepted");
}

/** The variables a problem line names at its start ("DATABASE_URL is missing (…)"). */
function namedVariables(error: ConfigError): string[] {
  return error.problems.map((line) => line.split(" ")[0]!);
}

describe("parseEnv: a complete configuration", () => {
  it("parses and fills the defaults", () => {
    const env = parseEnv(valid);
    expect(env).toMatchObject({
      DATABASE_URL: valid.DATABASE_URL,
      REDIS_URL: valid.REDIS_URL,
      APP_URL: valid.APP_URL,
      SMTP_URL: valid.SMTP_URL,
      QUEUE_PREFIX: "ripple",
      PORT: 3000,
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      DATABASE_POOL_MAX: 10,
      DATABASE_REPLICA_MAX_LAG_S: 60,
      DATABASE_REPLICA_TIMEOUT_MS: 2_000,
      REPORT_STORE_AFTER_MS: 150,
      REACH_CONCURRENCY: 4,
      DEMO_MODE: false,
      OIDC_NAME: "Single sign-on",
    });
    expect(env.MAIL_FROM).toContain("@");
  });

  it("decodes the encryption key to 32 bytes, from hex or from base64", () => {
    const hexKey = parseEnv(valid).TOKEN_ENCRYPTION_KEY;
    expect(hexKey).toEqual(Buffer.from(valid.TOKEN_ENCRYPTION_KEY, "hex"));
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    expect(parseEnv({ ...valid, TOKEN_ENCRYPTION_KEY: raw.toString("base64") }).TOKEN_ENCRYPTION_KEY).toEqual(raw);
  });

  it("takes PORT and QUEUE_PREFIX from the environment when set", () => {
    const env = parseEnv({ ...valid, PORT: "8080", QUEUE_PREFIX: "acme" });
    expect(env.PORT).toBe(8080);
    expect(env.QUEUE_PREFIX).toBe("acme");
    // The old form, a hash tag of its own, reads as the name inside: each queue now has its own tag.
    expect(parseEnv({ ...valid, QUEUE_PREFIX: "{acme}" }).QUEUE_PREFIX).toBe("acme");
  });

  it("accepts each way to sign in on its own: email, single sign-on, demo mode", () => {
    const { SMTP_URL: _smtp, ...noSmtp } = valid;
    expect(parseEnv({ ...noSmtp, DEMO_MODE: "true" }).DEMO_MODE).toBe(true);
    const sso = parseEnv({ ...noSmtp, OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "ripple", OIDC_CLIENT_SECRET: "secret" });
    expect(sso.OIDC_ISSUER).toBe("https://id.example.com");
    expect(sso.SMTP_URL).toBeUndefined();
  });
});

describe("parseEnv: a missing variable", () => {
  it.each(required)("without %s the error names exactly that variable", (name) => {
    const error = configError({ ...valid, [name]: undefined });
    expect(namedVariables(error)).toEqual([name]);
    expect(error.message).toContain(name);
    expect(error.problems[0]).toMatch(/is missing/);
    for (const other of otherVariables.filter((v) => v !== name)) expect(error.message).not.toContain(other);
  });
});

describe("parseEnv: a variable set but empty", () => {
  it.each(required)("%s= (empty) is one 'is missing' problem, not two", (name) => {
    const error = configError({ ...valid, [name]: "" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name} is missing`));
  });
});

describe("parseEnv: a malformed variable", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["DATABASE_URL", "mysql://x", /postgres/],
    ["REDIS_URL", "http://x", /redis/],
    ["APP_URL", "not a url", /http/],
    ["AUTH_SECRET", "too-short", /32/],
    ["TOKEN_ENCRYPTION_KEY", "abcd", /32 bytes/],
    ["TOKEN_ENCRYPTION_KEY", "ab".repeat(31), /32 bytes/],
    ["QUEUE_PREFIX", "rip ple", /such as ripple/],
    ["QUEUE_PREFIX", "{ripple", /such as ripple/],
    ["REDIS_CLUSTER_NODES", "redis-1", /host:port pairs of Redis Cluster nodes/],
    ["PORT", "abc", /port number/],
    ["PORT", "70000", /port number/],
    ["SMTP_URL", "mail.example.com", /smtp/],
    ["METRICS_TOKEN", "a".repeat(15), /at least 16 characters/],
  ];
  it.each(cases)("%s=%j is refused with a message naming it", (name, value, hint) => {
    const error = configError({ ...valid, [name]: value });
    expect(namedVariables(error)).toEqual([name]);
    expect(error.problems[0]).toMatch(hint);
  });

  it("reports every malformed variable at once, one line each", () => {
    const error = configError({ ...valid, DATABASE_URL: "mysql://x", REDIS_URL: "http://x", PORT: "abc" });
    expect(namedVariables(error).sort()).toEqual(["DATABASE_URL", "PORT", "REDIS_URL"]);
  });
});

describe("parseEnv: Web Push (VAPID)", () => {
  // A pair as `npx web-push generate-vapid-keys` prints it.
  const vapid = { VAPID_PUBLIC_KEY: `B${"A".repeat(86)}`, VAPID_PRIVATE_KEY: "A".repeat(43) };

  it("takes the key pair and a subject, or none of them (push off)", () => {
    expect(parseEnv({ ...valid, ...vapid, VAPID_SUBJECT: "mailto:it@example.com" })).toMatchObject({ ...vapid, VAPID_SUBJECT: "mailto:it@example.com" });
    const off = parseEnv(valid);
    expect([off.VAPID_PUBLIC_KEY, off.VAPID_PRIVATE_KEY]).toEqual([undefined, undefined]);
  });

  it("names the missing half of the pair, keys of the wrong size and a subject that is no contact", () => {
    expect(namedVariables(configError({ ...valid, VAPID_PUBLIC_KEY: vapid.VAPID_PUBLIC_KEY }))).toEqual(["VAPID_PRIVATE_KEY"]);
    expect(namedVariables(configError({ ...valid, VAPID_PRIVATE_KEY: vapid.VAPID_PRIVATE_KEY }))).toEqual(["VAPID_PUBLIC_KEY"]);
    const error = configError({ ...valid, VAPID_PUBLIC_KEY: "short", VAPID_PRIVATE_KEY: "A".repeat(60), VAPID_SUBJECT: "http://example.com" });
    expect(namedVariables(error).sort()).toEqual(["VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT"]);
  });
});

describe("parseEnv: sign-in configuration", () => {
  it("names the missing halves of single sign-on", () => {
    const error = configError({ ...valid, OIDC_ISSUER: "https://id.example.com" });
    expect(namedVariables(error).sort()).toEqual(["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]);
  });

  it("names the issuer when only the client credentials are set", () => {
    const error = configError({ ...valid, OIDC_CLIENT_ID: "ripple", OIDC_CLIENT_SECRET: "secret" });
    expect(namedVariables(error)).toEqual(["OIDC_ISSUER"]);
  });

  it("refuses a configuration with no way to sign in, saying what would fix it", () => {
    const { SMTP_URL: _smtp, ...noSmtp } = valid;
    const error = configError({ ...noSmtp, DEMO_MODE: "false" });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/sign in/);
    for (const remedy of ["SMTP_URL", "OIDC_", "DEMO_MODE"]) expect(error.message).toContain(remedy);
  });
});

describe("envFor: only the variables a process needs", () => {
  it("parses the subset and ignores the rest", () => {
    expect(envFor(["DATABASE_URL"], { DATABASE_URL: valid.DATABASE_URL })).toEqual({ DATABASE_URL: valid.DATABASE_URL });
  });

  it("fills defaults for the requested keys", () => {
    expect(envFor(["QUEUE_PREFIX", "PORT"], {})).toEqual({ QUEUE_PREFIX: "ripple", PORT: 3000 });
  });

  it("still names a missing or malformed requested variable", () => {
    expect(() => envFor(["DATABASE_URL"], {})).toThrow(ConfigError);
    expect(() => envFor(["DATABASE_URL"], {})).toThrow(/DATABASE_URL is missing/);
    expect(() => envFor(["REDIS_URL"], { REDIS_URL: "http://x" })).toThrow(/REDIS_URL/);
  });

  it("does not demand a sign-in method from a process that only needs the database", () => {
    expect(() => envFor(["DATABASE_URL", "TOKEN_ENCRYPTION_KEY"], { DATABASE_URL: valid.DATABASE_URL, TOKEN_ENCRYPTION_KEY: valid.TOKEN_ENCRYPTION_KEY })).not.toThrow();
  });
});

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
