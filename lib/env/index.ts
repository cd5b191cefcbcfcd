import { z } from "zod";

/**
 * Every environment variable Ripple reads, validated in one place. Nothing else reads
 * process.env for configuration. A missing or malformed value stops start-up with one
 * message naming the variable.
 */

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const url = (protocols: string[], hint: string) =>
  z.string({ error: `is missing (${hint})` }).superRefine((value, ctx) => {
    try {
      if (protocols.includes(new URL(value).protocol)) return;
    } catch {
      // not a URL at all: same message
    }
    ctx.addIssue({ code: "custom", message: `must be a ${protocols.join(" or ")} URL (${hint})` });
  });

const optionalUrl = (protocols: string[], hint: string) => url(protocols, hint).optional();

/** A base64url key of a fixed length in bytes (VAPID keys as `npx web-push generate-vapid-keys` prints them). */
const base64urlKey = (bytes: number, hint: string) =>
  z
    .string()
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v) && Buffer.from(v, "base64url").length === bytes, `must be ${bytes} bytes in base64url (${hint})`)
    .optional();
const optionalString = z.string().optional();

/** 32 bytes as 64 hex characters or as base64. */
const encryptionKey = z
  .string({ error: "is missing (32 random bytes, hex or base64: `openssl rand -hex 32`)" })
  .transform((v, ctx) => {
    const bytes = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, "hex") : Buffer.from(v, "base64");
    if (bytes.length !== 32) {
      ctx.addIssue({ code: "custom", message: "must be 32 bytes, hex or base64 (`openssl rand -hex 32`)" });
      return z.NEVER;
    }
    return bytes;
  });

/** The default LinkedIn-Version: two months before `now`, as YYYYMM (UTC). */
export function linkedinVersionFor(now: Date): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  return `${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** Comma-separated host:port pairs (an IPv6 host in brackets), as ioredis takes them. */
function hostPorts(what: string, example: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const nodes = value.split(",").map((part) => part.trim()).filter(Boolean).map((part) => /^(\[[0-9a-fA-F:]+\]|[^\s:]+):(\d{1,5})$/.exec(part));
      if (nodes.length === 0 || nodes.some((m) => !m || Number(m[2]) < 1 || Number(m[2]) > 65_535)) {
        ctx.addIssue({ code: "custom", message: `must be comma-separated host:port pairs of ${what}, e.g. ${example}` });
        return z.NEVER;
      }
      return nodes.map((m) => ({ host: m![1]!.replace(/^\[|\]$/g, ""), port: Number(m![2]) }));
    })
    .optional();
}

const fields = z.object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: url(["postgres:", "postgresql:"], "PostgreSQL connection URL, e.g. postgres://user@127.0.0.1:5432/ripple"),
    DATABASE_REPLICA_URL: optionalUrl(["postgres:", "postgresql:"], "optional read replica for reports"),
    /** Reports read from the replica only while it is at most this far behind the primary. */
    DATABASE_REPLICA_MAX_LAG_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /** A replica statement (and its lag check) slower than this sends reports to the primary. */
    DATABASE_REPLICA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    /** A team report slower to make than this is kept made, and made again every minute by the workers while it is read (lib/reports/stored.ts). */
    REPORT_STORE_AFTER_MS: z.coerce.number().int().min(0).max(3_600_000).default(150),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** "transaction": DATABASE_URL is a pooler in transaction mode (PgBouncer, Supavisor): no prepared statements. */
    DATABASE_POOLER: z.enum(["none", "transaction"]).default("none"),
    /** One of three forms: REDIS_URL (one server), REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES. */
    REDIS_URL: optionalUrl(["redis:", "rediss:"], "Redis connection URL, e.g. redis://127.0.0.1:6379"),
    REDIS_SENTINELS: hostPorts("Redis Sentinels", "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379"),
    /** A Redis Cluster: some of its nodes to learn the rest from (one that answers is enough to start). */
    REDIS_CLUSTER_NODES: hostPorts("Redis Cluster nodes", "redis-1:6379,redis-2:6379,redis-3:6379"),
    REDIS_SENTINEL_NAME: z.string().regex(/^[\w.-]+$/, "must be the master's name as the Sentinels know it (sentinel monitor <name> …)").optional(),
    /** With REDIS_SENTINELS or REDIS_CLUSTER_NODES: the Redis servers' password and user (REDIS_URL carries its own), the Sentinels' own password, and TLS. */
    REDIS_PASSWORD: optionalString,
    REDIS_USERNAME: optionalString,
    REDIS_SENTINEL_PASSWORD: optionalString,
    REDIS_TLS: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    /** What every Redis key starts with; the hash tags come after it (lib/queue/keys.ts). `{ripple}`, the old form, reads `ripple`. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^(\{[A-Za-z0-9_:.-]+\}|[A-Za-z0-9_:.-]+)$/, "must be a name of letters, digits and _ : . - such as ripple")
      .default("ripple")
      .transform((value) => value.replace(/[{}]/g, "")),
    APP_URL: url(["http:", "https:"], "public base URL of the web app, e.g. https://ripple.example.com"),
    AUTH_SECRET: z
      .string({ error: "is missing (at least 32 random characters: `openssl rand -base64 32`)" })
      .min(32, "must be at least 32 characters (`openssl rand -base64 32`)"),
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    SMTP_URL: optionalUrl(["smtp:", "smtps:"], "e.g. smtp://user:pass@mail.example.com:587"),
    MAIL_FROM: z.string().min(3).default("Ripple <no-reply@ripple.local>"),
    OIDC_ISSUER: optionalUrl(["http:", "https:"], "the OpenID provider's issuer URL"),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_NAME: z.string().min(1).default("Single sign-on"),
    OIDC_ORG: optionalString,
    DEMO_MODE: bool,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    PORT: z.coerce
      .number({ error: "must be a port number (1–65535)" })
      .int("must be a port number (1–65535)")
      .min(1, "must be a port number (1–65535)")
      .max(65535, "must be a port number (1–65535)")
      .default(3000),
    /** The address `npm start` listens on; 0.0.0.0 = every interface. */
    HOST: z.string().min(1).default("0.0.0.0"),
    /** Where uploaded images are kept (a directory every web process can reach). */
    STORAGE_DIR: z.string().min(1).default(".data/uploads"),
    /**
     * A bearer token Prometheus sends to GET /api/metrics (`Authorization: Bearer …`).
     * Unset: the endpoint is public (it serves counts only, no personal data).
     */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (`openssl rand -hex 24`)").optional(),
    /**
     * Comma-separated emails of the people who run this installation: only they (as admins)
     * open the queue dashboard at /admin/queues, which spans every organisation. Unset: the
     * dashboard is open to admins while the installation holds a single organisation.
     */
    OPERATOR_EMAILS: z.string().optional(),
    /**
     * Publish jobs a worker process runs at once, per network: mostly waiting for the network,
     * so well above the core count (measured: docs/design-notes.md, "Performance history").
     */
    PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
    /**
     * The most publish jobs one network's queue starts a second, across every worker process:
     * a guard against a runaway burst, set above what the workers publish so it bites only
     * then (the networks' own limits are kept per account and app by lib/shares/rate-limit.ts).
     * Bluesky and Threads, where most accounts share one server, stay at 50 at most.
     */
    PUBLISH_RATE_PER_S: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /**
     * Metric polls (the reach queue) a worker process runs at once. Modest on purpose: polls
     * wait on the same networks, accounts and database pool as publishing and must never
     * crowd it out; a poll is due hours after its share, so a backlog only makes it late.
     */
    REACH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** The port of the standalone click redirector (`npm run redirector`, workers/redirector.ts). */
    REDIRECTOR_PORT: z.coerce
      .number({ error: "must be a port number (1–65535)" })
      .int("must be a port number (1–65535)")
      .min(1, "must be a port number (1–65535)")
      .max(65535, "must be a port number (1–65535)")
      .default(3001),
    /**
     * Set when a reverse proxy you run sets X-Forwarded-For: the redirect then takes the
     * visitor's address from its first entry (only to compute the daily visitor hash; never
     * stored). Unset: the socket's address, so a client cannot pose as many visitors.
     */
    TRUST_PROXY: bool,
    /**
     * Approximate cap (XADD MAXLEN ~) on clicks waiting in the Redis stream for the click
     * consumer. Written clicks are removed from the stream, so this only bites when the
     * workers are down: beyond it the oldest waiting clicks are dropped.
     */
    CLICK_STREAM_MAXLEN: z.coerce.number().int().min(10_000).default(2_000_000),
    /** Which process this is (web, workers, cli): a label in logs and in pg_stat_activity. */
    RIPPLE_PROCESS: z.string().min(1).default("ripple"),
    /** Tests only: let the safe fetcher (lib/net/safe-fetch) reach private and loopback addresses; never in production. */
    ALLOW_PRIVATE_FETCH: bool,
    /**
     * Tests only: "host:port" pairs (comma-separated) the safe fetcher may reach although
     * they are private, e.g. a fake Mastodon on 127.0.0.1:4010; every other private
     * address stays refused.
     */
    FETCH_ALLOW_HOSTS: z
      .string()
      .optional()
      .transform((v) => (v ?? "").split(",").map((h) => h.trim()).filter(Boolean)),
    /**
     * A network is offered for connecting only when its client id and secret are both set (its
     * share links work regardless); Mastodon and Bluesky need none. The *_URL variables point
     * the adapters elsewhere (tests, proxies).
     */
    LINKEDIN_CLIENT_ID: optionalString,
    LINKEDIN_CLIENT_SECRET: optionalString,
    LINKEDIN_AUTH_URL: optionalUrl(["http:", "https:"], "LinkedIn's OAuth host").default("https://www.linkedin.com"),
    LINKEDIN_API_URL: optionalUrl(["http:", "https:"], "LinkedIn's API host").default("https://api.linkedin.com"),
    /** The LinkedIn app has the Community Management API's analytics product: ask members for r_member_postAnalytics. */
    LINKEDIN_POST_ANALYTICS: bool,
    /**
     * The LinkedIn-Version header (YYYYMM). A version lives about a year, then answers 426;
     * the default, two months back (UTC), is live and released. Pin it when a version changes
     * behaviour (docs/networks/linkedin.md).
     */
    LINKEDIN_VERSION: z
      .string()
      .regex(/^20\d{2}(0[1-9]|1[0-2])$/, "must be a LinkedIn API version as YYYYMM, e.g. 202604")
      .default(() => linkedinVersionFor(new Date())),
    X_CLIENT_ID: optionalString,
    X_CLIENT_SECRET: optionalString,
    X_AUTH_URL: optionalUrl(["http:", "https:"], "where X's OAuth consent page lives").default("https://x.com"),
    X_API_URL: optionalUrl(["http:", "https:"], "X's API host").default("https://api.x.com"),
    /** Threads' API and its authorisation window (docs/networks/threads.md); the app itself is each organisation's own. */
    THREADS_API_URL: optionalUrl(["http:", "https:"], "Threads' Graph API host").default("https://graph.threads.net"),
    THREADS_AUTH_URL: optionalUrl(["http:", "https:"], "where Threads' authorisation window lives").default("https://threads.net"),
    /**
     * Web Push (VAPID, RFC 8292): the application server's P-256 key pair, base64url as
     * `npx web-push generate-vapid-keys` prints it. Unset: push notifications are off.
     */
    VAPID_PUBLIC_KEY: base64urlKey(65, "the uncompressed P-256 public key: `npx web-push generate-vapid-keys`"),
    VAPID_PRIVATE_KEY: base64urlKey(32, "the P-256 private key: `npx web-push generate-vapid-keys`"),
    /** Who push services may contact about our traffic: a mailto: or https: URL (default: MAIL_FROM's address). */
    VAPID_SUBJECT: optionalUrl(["mailto:", "https:"], "e.g. mailto:it@example.com"),
    /** The Bluesky AppView that answers public profile reads (follower counts). */
    BLUESKY_APPVIEW_URL: optionalUrl(["http:", "https:"], "a Bluesky AppView").default("https://public.api.bsky.app"),
    /**
     * Writing help (lib/ai): any server speaking OpenAI's Chat Completions protocol, its base
     * URL up to and including the version (…/v1). Unset: no writing help anywhere. The key is
     * optional (a local Ollama needs none); the model is required with the URL.
     */
    AI_BASE_URL: optionalUrl(["http:", "https:"], "an OpenAI-compatible API base, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1"),
    AI_API_KEY: optionalString,
    AI_MODEL: optionalString,
    /** The most tokens one answer may use. */
    AI_MAX_TOKENS: z.coerce.number().int().min(16).max(8192).default(600),
});

export const envSchema = fields.superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      for (const [i, key] of (["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const).entries()) {
        if (!oidc[i]) ctx.addIssue({ code: "custom", path: [key], message: "is missing (single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together)" });
      }
    }
    for (const [id, secret] of [
      ["LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET"],
      ["X_CLIENT_ID", "X_CLIENT_SECRET"],
    ] as const) {
      if (Boolean(env[id]) !== Boolean(env[secret])) {
        const missing = env[id] ? secret : id;
        ctx.addIssue({ code: "custom", path: [missing], message: `is missing (${id} and ${secret} go together; leave both unset to not offer the network)` });
      }
    }
    if (Boolean(env.VAPID_PUBLIC_KEY) !== Boolean(env.VAPID_PRIVATE_KEY)) {
      const missing = env.VAPID_PUBLIC_KEY ? "VAPID_PRIVATE_KEY" : "VAPID_PUBLIC_KEY";
      ctx.addIssue({ code: "custom", path: [missing], message: "is missing (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together; leave both unset to turn push notifications off)" });
    }
    for (const problem of redisFormProblems(env)) ctx.addIssue({ code: "custom", path: [problem.key], message: problem.message });
    if (env.AI_BASE_URL && !env.AI_MODEL) {
      ctx.addIssue({ code: "custom", path: ["AI_MODEL"], message: "is missing (AI_BASE_URL needs the model to ask, e.g. gpt-4o-mini or llama3.1)" });
    }
    if (!env.SMTP_URL && !env.OIDC_ISSUER && !env.DEMO_MODE) {
      ctx.addIssue({
        code: "custom",
        path: ["SMTP_URL"],
        message: "is missing: no way to sign in is configured (set SMTP_URL for email links, OIDC_* for single sign-on, or DEMO_MODE=true)",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Exactly one form of Redis: REDIS_URL, REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES. */
export function redisFormProblems(env: { REDIS_URL?: string; REDIS_SENTINELS?: unknown; REDIS_SENTINEL_NAME?: string; REDIS_CLUSTER_NODES?: unknown }): Array<{ key: string; message: string }> {
  const forms = [env.REDIS_URL && "REDIS_URL", env.REDIS_SENTINELS && "REDIS_SENTINELS", env.REDIS_CLUSTER_NODES && "REDIS_CLUSTER_NODES"].filter((form): form is string => Boolean(form));
  if (forms.length > 1) return [{ key: forms.at(-1)!, message: `and ${forms.slice(0, -1).join(" and ")} are both set: use one form (one server, Sentinels or a cluster)` }];
  if (forms.length === 0) return [{ key: "REDIS_URL", message: "is missing (Redis connection URL, e.g. redis://127.0.0.1:6379; or REDIS_SENTINELS with REDIS_SENTINEL_NAME; or REDIS_CLUSTER_NODES)" }];
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) return [{ key: "REDIS_SENTINEL_NAME", message: "is missing (REDIS_SENTINELS needs the master's name, as in sentinel monitor <name> …)" }];
  return [];
}
type Key = keyof typeof fields.shape;
/** Every variable Ripple reads (for checks of deployment files against this schema). */
export const envKeys = Object.keys(fields.shape) as Key[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration error: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

function parseWith<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  // A variable set to the empty string counts as not set.
  const cleaned = Object.fromEntries(Object.entries(source).map(([key, value]) => [key, value === "" ? undefined : value]));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`);
  throw new ConfigError(problems);
}

/** Parse a set of variables; throws ConfigError with one line per problem, each naming its variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  return parseWith(envSchema, source);
}

const subsets = new Map<string, { schema: z.ZodType; last?: { raw: Array<string | undefined>; value: unknown } }>();

/**
 * Only some variables, for processes that need no more (the CLI's migrate needs the
 * database and nothing else).
 */
export function envFor<K extends Key>(keys: readonly K[], source: Record<string, string | undefined> = process.env) {
  // Hot paths (the publisher, per job) call this: each subset's schema is built once, only
  // the variables asked for are read, and the same raw values give the cached result.
  const id = keys.join(",");
  const raw = keys.map((k) => source[k]);
  let entry = subsets.get(id);
  if (entry?.last && entry.last.raw.every((value, i) => value === raw[i])) return entry.last.value as Pick<Env, K>;
  if (!entry) {
    const mask = Object.fromEntries(keys.map((k) => [k, true])) as { [P in K]: true };
    entry = { schema: fields.pick(mask as never) };
    subsets.set(id, entry);
  }
  const value = parseWith(entry.schema, Object.fromEntries(keys.map((k, i) => [k, raw[i]])));
  entry.last = { raw, value };
  return value as unknown as Pick<Env, K>;
}
let cached: Env | undefined;

/** The validated configuration of this process, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvForTests() {
  cached = undefined;
}
