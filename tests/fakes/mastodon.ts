import { measureText } from "@/lib/networks/measure";
import {
  authorize,
  type AuthorizeCheck,
  AuthorizationCodes,
  basicCredentials,
  bearerToken,
  Clock,
  codeChallenge,
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  field,
  FixedWindows,
  isRecord,
  isRedirectUri,
  json,
  randomToken,
  router,
  sameSecret,
  snowflakes,
  startFakeServer,
  type TokenRecord,
  TokenStore,
} from "./common";

/**
 * A fake Mastodon 4.3 instance after networks.md §4 and Mastodon's own source (Doorkeeper
 * for OAuth, Rack::Attack for rate limits): app registration, OAuth, the instance
 * configuration, posting with Idempotency-Key replay and Mastodon's length rules, status
 * look-ups for reach, and X-RateLimit-* headers on every /api/* response.
 */

export interface FakeMastodonOptions {
  /** configuration.statuses.max_characters (default 500). */
  maxCharacters?: number;
  /** configuration.statuses.characters_reserved_per_url (default 23). */
  charactersPerUrl?: number;
  /** Requests per token (or, without a valid token, per address) per 5 minutes (default 300). */
  rateLimit?: number;
  /** GET /oauth/authorize redirects at once, as "ripple-user". */
  autoApprove?: boolean;
  latencyMs?: number;
}

export interface MastodonApp {
  id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  clientSecret: string;
}

export interface MastodonAccount {
  id: string;
  username: string;
  displayName: string;
  followers: number;
  following: number;
  createdAt: Date;
}

export interface MastodonStatus {
  id: string;
  account: MastodonAccount;
  text: string;
  spoilerText: string;
  visibility: "public" | "unlisted" | "private" | "direct";
  language: string | null;
  sensitive: boolean;
  inReplyToId: string | null;
  createdAt: Date;
  favourites: number;
  reblogs: number;
  replies: number;
  application: { name: string; website: string | null } | null;
}

export interface FakeMastodon extends FakeServer {
  /** Every app registered through POST /api/v1/apps, in order. */
  apps: MastodonApp[];
  /** Live statuses by id (deleted ones are removed). */
  statuses: Map<string, MastodonStatus>;
  /** The account with this username, created on first use. */
  account(username: string): MastodonAccount;
  /** An access token for `username` without the OAuth dance (default scopes read write). */
  createToken(username: string, scopes?: string[]): string;
  /** As if the user revoked the app in their settings: the token then gets 401. */
  revokeToken(token: string): void;
  setFollowers(username: string, followers: number): void;
  setCounts(id: string, counts: { favourites?: number; reblogs?: number; replies?: number }): void;
  /** As if the user deleted the status: it then gets 404 {"error":"Record not found"}. */
  deleteStatus(id: string): void;
  /** Empties every rate-limit window. */
  resetRateLimits(): void;
}

const VISIBILITIES = ["public", "unlisted", "private", "direct"] as const;
const RATE_WINDOW_MS = 5 * 60_000;
const IDEMPOTENCY_MS = 60 * 60_000;

// Doorkeeper's English messages, which Mastodon keeps.
const INVALID_CLIENT = {
  error: "invalid_client",
  error_description: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
};
const INVALID_GRANT = {
  error: "invalid_grant",
  error_description:
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
};
const INVALID_REQUEST = {
  error: "invalid_request",
  error_description: "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
};
const UNSUPPORTED_RESPONSE_TYPE = { error: "unsupported_response_type", error_description: "The authorization server does not support this response type." };
const INVALID_SCOPE = { error: "invalid_scope", error_description: "The requested scope is invalid, unknown, or malformed." };
const UNSUPPORTED_GRANT = { error: "unsupported_grant_type", error_description: "The authorization grant type is not supported by the authorization server." };
const ACCESS_DENIED = { error: "access_denied", error_description: "The resource owner or authorization server denied the request." };

// Api::BaseController and Rack::Attack.
const UNAUTHORIZED = { error: "The access token is invalid" };
const OUTSIDE_SCOPES = { error: "This action is outside the authorized scopes" };
const NOT_FOUND = { error: "Record not found" };
const TOO_MANY = { error: "Too many requests" };

/** Doorkeeper's scopes as Mastodon configures them: top-level ones and read:/write:/admin: sub-scopes. */
const SCOPE = /^(read|write|follow|push|profile|(read|write):[a-z_]+|admin:(read|write)(:[a-z_]+)?)$/;

/** A granted scope covers a needed one when equal or its parent ("write" covers "write:statuses"). */
const covers = (granted: string[], needed: string[]) => needed.some((scope) => granted.includes(scope) || granted.includes(scope.split(":")[0]!));

const splitScopes = (value: string | undefined | null) => (value ?? "").split(/\s+/).filter(Boolean);

/** Mastodon's Rack::Attack reset time: ISO 8601 with microseconds. */
const isoMicro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Plain text as Mastodon renders it: paragraphs on blank lines, <br /> on single newlines. */
const toHtml = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br />")}</p>`)
    .join("");

function listField(body: unknown, name: string): string[] {
  if (!isRecord(body)) return [];
  const value = body[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

export async function startFakeMastodon(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const maxCharacters = options.maxCharacters ?? 500;
  const charactersPerUrl = options.charactersPerUrl ?? 23;
  const rateLimit = options.rateLimit ?? 300;
  const clock = new Clock();
  const nextId = snowflakes(clock, 16n);
  const codes = new AuthorizationCodes(clock);
  const tokens = new TokenStore(clock);
  const limits = new FixedWindows(clock, RATE_WINDOW_MS, true);
  const apps: MastodonApp[] = [];
  const accounts = new Map<string, MastodonAccount>();
  const statuses = new Map<string, MastodonStatus>();
  const idempotency = new Map<string, { statusId: string; expiresAt: number }>();
  let origin = "";

  const account = (username: string): MastodonAccount => {
    let found = accounts.get(username);
    if (!found) {
      found = { id: nextId(), username, displayName: username, followers: 0, following: 0, createdAt: new Date(clock.now()) };
      accounts.set(username, found);
    }
    return found;
  };

  // --- rendering -----------------------------------------------------------------------

  const renderAccount = (a: MastodonAccount) => {
    const own = [...statuses.values()].filter((s) => s.account === a);
    const last = own.reduce<Date | null>((latest, s) => (latest && latest > s.createdAt ? latest : s.createdAt), null);
    return {
      id: a.id,
      username: a.username,
      acct: a.username,
      display_name: a.displayName,
      locked: false,
      bot: false,
      discoverable: true,
      group: false,
      created_at: `${a.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`,
      note: "",
      url: `${origin}/@${a.username}`,
      uri: `${origin}/users/${a.username}`,
      avatar: `${origin}/avatars/original/missing.png`,
      avatar_static: `${origin}/avatars/original/missing.png`,
      header: `${origin}/headers/original/missing.png`,
      header_static: `${origin}/headers/original/missing.png`,
      followers_count: a.followers,
      following_count: a.following,
      statuses_count: own.length,
      last_status_at: last ? last.toISOString().slice(0, 10) : null,
      emojis: [],
      fields: [],
    };
  };

  const renderStatus = (s: MastodonStatus) => ({
    id: s.id,
    created_at: s.createdAt.toISOString(),
    in_reply_to_id: s.inReplyToId,
    in_reply_to_account_id: s.inReplyToId ? (statuses.get(s.inReplyToId)?.account.id ?? null) : null,
    sensitive: s.sensitive,
    spoiler_text: s.spoilerText,
    visibility: s.visibility,
    language: s.language,
    uri: `${origin}/users/${s.account.username}/statuses/${s.id}`,
    url: `${origin}/@${s.account.username}/${s.id}`,
    replies_count: s.replies,
    reblogs_count: s.reblogs,
    favourites_count: s.favourites,
    edited_at: null,
    content: toHtml(s.text),
    reblog: null,
    application: s.application,
    account: renderAccount(s.account),
    media_attachments: [],
    mentions: [],
    tags: [],
    emojis: [],
    card: null,
    poll: null,
  });

  // --- authentication ------------------------------------------------------------------

  type Auth = { ok: true; account: MastodonAccount; token: TokenRecord } | { ok: false; reply: FakeResponse };

  /** The caller's account; `scopes` lists the scopes of which any one suffices. */
  const authenticate = (req: FakeRequest, scopes?: string[]): Auth => {
    const check = tokens.check(bearerToken(req));
    if (!check.ok) return { ok: false, reply: json(401, UNAUTHORIZED) };
    if (scopes && !covers(check.token.scopes, scopes)) return { ok: false, reply: json(403, OUTSIDE_SCOPES) };
    return { ok: true, account: account(check.token.account), token: check.token };
  };

  /**
   * Public endpoints: anyone may call them, but a token that is sent must be valid and
   * carry one of `scopes` (Mastodon's authorize_if_got_token!).
   */
  const optionalAuth = (req: FakeRequest, scopes: string[]): { ok: true; account: MastodonAccount | undefined } | { ok: false; reply: FakeResponse } => {
    if (bearerToken(req) === undefined) return { ok: true, account: undefined };
    const auth = authenticate(req, scopes);
    return auth.ok ? { ok: true, account: auth.account } : auth;
  };

  const visibleTo = (s: MastodonStatus, who: MastodonAccount | undefined) => s.visibility === "public" || s.visibility === "unlisted" || s.account === who;

  const clientOf = (req: FakeRequest): MastodonApp | undefined => {
    const basic = basicCredentials(req);
    const clientId = basic?.id ?? field(req.body, "client_id");
    const secret = basic?.secret ?? field(req.body, "client_secret");
    const app = apps.find((a) => a.clientId === clientId);
    return app && sameSecret(secret, app.clientSecret) ? app : undefined;
  };

  // --- OAuth ---------------------------------------------------------------------------

  const checkAuthorize = (params: URLSearchParams): AuthorizeCheck => {
    const app = apps.find((a) => a.clientId === params.get("client_id"));
    if (!app) return { ok: false, message: INVALID_CLIENT.error_description };
    const redirectUri = params.get("redirect_uri") ?? "";
    if (!app.redirectUris.includes(redirectUri)) return { ok: false, message: "The redirect uri included is not valid." };
    const requested = splitScopes(params.get("scope"));
    const scopes = requested.length > 0 ? requested : ["read"];
    const challenge = codeChallenge(params);
    const request = { clientId: app.clientId, redirectUri, scopes, state: params.get("state") ?? undefined };
    if (params.get("response_type") !== "code") return { ok: true, request, appName: app.name, redirectError: UNSUPPORTED_RESPONSE_TYPE };
    if (!scopes.every((scope) => app.scopes.includes(scope))) return { ok: true, request, appName: app.name, redirectError: INVALID_SCOPE };
    // Mastodon allows only S256 (Doorkeeper pkce_code_challenge_methods).
    if (challenge === "invalid" || challenge?.method === "plain") return { ok: true, request, appName: app.name, redirectError: INVALID_REQUEST };
    return { ok: true, request: { ...request, codeChallenge: challenge }, appName: app.name };
  };

  const oauthAuthorize = (req: FakeRequest) =>
    authorize(req, { network: "Fake Mastodon", autoApprove: options.autoApprove ?? false, codes, check: checkAuthorize, denied: ACCESS_DENIED });

  const oauthToken = (req: FakeRequest) => {
    const grantType = field(req.body, "grant_type");
    if (!grantType) return json(400, { error: "invalid_request", error_description: "Missing required parameter: grant_type." });
    if (grantType !== "authorization_code") return json(400, UNSUPPORTED_GRANT);
    const app = clientOf(req);
    if (!app) return json(401, INVALID_CLIENT);
    const grant = codes.redeem(field(req.body, "code"), {
      clientId: app.clientId,
      redirectUri: field(req.body, "redirect_uri"),
      codeVerifier: field(req.body, "code_verifier"),
    });
    if (!grant) return json(400, INVALID_GRANT);
    const token = tokens.issue("access", { account: grant.account, clientId: app.clientId, scopes: grant.scopes });
    account(grant.account);
    return json(200, { access_token: token.value, token_type: "Bearer", scope: token.scopes.join(" "), created_at: Math.floor(token.issuedAt / 1000) });
  };

  const oauthRevoke = (req: FakeRequest) => {
    const app = clientOf(req);
    if (!app) return json(401, INVALID_CLIENT);
    const token = tokens.get(field(req.body, "token") ?? "");
    if (!token) return json(200, {});
    if (token.clientId !== app.clientId) return json(403, { error: "unauthorized_client", error_description: "You are not authorized to revoke this token" });
    tokens.revoke(token.value);
    return json(200, {});
  };

  // --- API -----------------------------------------------------------------------------

  const registerApp = (req: FakeRequest) => {
    const name = field(req.body, "client_name")?.trim() ?? "";
    const redirectUris = listField(req.body, "redirect_uris").flatMap((value) => value.split(/\s+/).filter(Boolean));
    const scopes = splitScopes(field(req.body, "scopes") ?? "read");
    if (!name) return json(422, { error: "Validation failed: Application name can't be blank" });
    if (redirectUris.length === 0) return json(422, { error: "Validation failed: Redirect URI can't be blank" });
    if (!redirectUris.every((uri) => isRedirectUri(uri) || uri === "urn:ietf:wg:oauth:2.0:oob")) {
      return json(422, { error: "Validation failed: Redirect URI must be an absolute URI." });
    }
    if (!scopes.every((scope) => SCOPE.test(scope))) return json(422, { error: "Validation failed: Scopes doesn't match configured on the server." });
    const app: MastodonApp = {
      id: String(apps.length + 1),
      name,
      website: field(req.body, "website") ?? null,
      redirectUris,
      scopes,
      clientId: randomToken(32),
      clientSecret: randomToken(32),
    };
    apps.push(app);
    return json(200, {
      id: app.id,
      name: app.name,
      website: app.website,
      scopes: app.scopes,
      redirect_uri: app.redirectUris.join("\n"),
      redirect_uris: app.redirectUris,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      client_secret_expires_at: 0,
      vapid_key: "BFake-vapid-key-of-the-fake-mastodon-instance",
    });
  };

  const instance = () =>
    json(200, {
      domain: new URL(origin).host,
      title: "Fake Mastodon",
      version: "4.3.0",
      source_url: "https://github.com/mastodon/mastodon",
      description: "A fake Mastodon instance for Ripple's tests.",
      usage: { users: { active_month: accounts.size } },
      thumbnail: { url: `${origin}/packs/media/images/preview.png` },
      languages: ["en"],
      configuration: {
        urls: { streaming: origin.replace(/^http/, "ws") },
        accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
        statuses: { max_characters: maxCharacters, max_media_attachments: 4, characters_reserved_per_url: charactersPerUrl },
        media_attachments: {
          supported_mime_types: ["image/jpeg", "image/png", "image/gif", "image/webp"],
          image_size_limit: 16777216,
          image_matrix_limit: 33177600,
          video_size_limit: 103809024,
          video_frame_rate_limit: 120,
          video_matrix_limit: 8294400,
        },
        polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2629746 },
        translation: { enabled: false },
      },
      registrations: { enabled: false, approval_required: false, message: null },
      contact: { email: "", account: null },
      rules: [],
    });

  const verifyCredentials = (req: FakeRequest) => {
    const auth = authenticate(req, ["read:accounts", "profile"]);
    if (!auth.ok) return auth.reply;
    return json(200, {
      ...renderAccount(auth.account),
      source: { privacy: "public", sensitive: false, language: "", note: "", fields: [], follow_requests_count: 0 },
    });
  };

  const createStatus = (req: FakeRequest) => {
    const auth = authenticate(req, ["write:statuses"]);
    if (!auth.ok) return auth.reply;
    const key = req.headers["idempotency-key"];
    const idempotencyKey = typeof key === "string" && key !== "" ? `${auth.account.id}:${key}` : undefined;
    const earlier = idempotencyKey ? idempotency.get(idempotencyKey) : undefined;
    if (earlier && clock.now() < earlier.expiresAt) {
      const status = statuses.get(earlier.statusId);
      return status ? json(200, renderStatus(status)) : json(404, NOT_FOUND);
    }

    const text = field(req.body, "status") ?? "";
    const spoilerText = field(req.body, "spoiler_text") ?? "";
    if (text.trim() === "") return json(422, { error: "Validation failed: Text can't be blank" });
    const measure = (value: string) => measureText("mastodon", value, { limit: maxCharacters, urlLength: charactersPerUrl }).length;
    if (measure(spoilerText) + measure(text) > maxCharacters) {
      return json(422, { error: `Validation failed: Text character limit of ${maxCharacters} exceeded` });
    }
    const visibility = field(req.body, "visibility") ?? "public";
    // The message of Rails' enum ArgumentError; that Mastodon answers it with 422 is UNVERIFIED.
    if (!VISIBILITIES.includes(visibility as MastodonStatus["visibility"])) {
      return json(422, { error: `Validation failed: '${visibility}' is not a valid visibility` });
    }
    const sensitive = isRecord(req.body) ? req.body.sensitive : undefined;
    const app = apps.find((a) => a.clientId === auth.token.clientId);
    const status: MastodonStatus = {
      id: nextId(),
      account: auth.account,
      text,
      spoilerText,
      visibility: visibility as MastodonStatus["visibility"],
      language: field(req.body, "language") ?? "en",
      sensitive: sensitive === true || sensitive === "true" || spoilerText !== "",
      inReplyToId: field(req.body, "in_reply_to_id") ?? null,
      createdAt: new Date(clock.now()),
      favourites: 0,
      reblogs: 0,
      replies: 0,
      application: app ? { name: app.name, website: app.website } : null,
    };
    statuses.set(status.id, status);
    if (idempotencyKey) idempotency.set(idempotencyKey, { statusId: status.id, expiresAt: clock.now() + IDEMPOTENCY_MS });
    return json(200, renderStatus(status));
  };

  const getStatus = (req: FakeRequest, id: string) => {
    const auth = optionalAuth(req, ["read:statuses"]);
    if (!auth.ok) return auth.reply;
    const status = statuses.get(id);
    return status && visibleTo(status, auth.account) ? json(200, renderStatus(status)) : json(404, NOT_FOUND);
  };

  const getStatuses = (req: FakeRequest) => {
    const auth = optionalAuth(req, ["read:statuses"]);
    if (!auth.ok) return auth.reply;
    const found = req.query.getAll("id[]").flatMap((id) => {
      const status = statuses.get(id);
      return status && visibleTo(status, auth.account) ? [renderStatus(status)] : [];
    });
    return json(200, found);
  };

  const deleteStatus = (req: FakeRequest, id: string) => {
    const auth = authenticate(req, ["write:statuses"]);
    if (!auth.ok) return auth.reply;
    const status = statuses.get(id);
    if (!status || status.account !== auth.account) return json(404, NOT_FOUND);
    statuses.delete(id);
    return json(200, { ...renderStatus(status), text: status.text });
  };

  /** GET /api/v1/statuses/:id/context: ancestors and descendants (replies, depth first by id). */
  const statusContext = (req: FakeRequest, id: string) => {
    const auth = optionalAuth(req, ["read:statuses"]);
    if (!auth.ok) return auth.reply;
    const status = statuses.get(id);
    if (!status || !visibleTo(status, auth.account)) return json(404, NOT_FOUND);
    const ancestors: MastodonStatus[] = [];
    for (let up = status.inReplyToId ? statuses.get(status.inReplyToId) : undefined; up; up = up.inReplyToId ? statuses.get(up.inReplyToId) : undefined) ancestors.unshift(up);
    const descendants: MastodonStatus[] = [];
    const walk = (parentId: string) => {
      for (const child of [...statuses.values()].filter((s) => s.inReplyToId === parentId).sort((a, b) => (BigInt(a.id) > BigInt(b.id) ? 1 : -1))) {
        if (!visibleTo(child, auth.account)) continue;
        descendants.push(child);
        walk(child.id);
      }
    };
    walk(id);
    return json(200, { ancestors: ancestors.map(renderStatus), descendants: descendants.map(renderStatus) });
  };

  const accountStatuses = (req: FakeRequest, id: string) => {
    const auth = optionalAuth(req, ["read:statuses"]);
    if (!auth.ok) return auth.reply;
    const owner = [...accounts.values()].find((a) => a.id === id);
    if (!owner) return json(404, NOT_FOUND);
    const limit = Math.min(Math.max(Number(req.query.get("limit") ?? 20) || 20, 1), 40);
    const list = [...statuses.values()]
      .filter((s) => s.account === owner && visibleTo(s, auth.account))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit)
      .map(renderStatus);
    return json(200, list);
  };

  const routes = router(
    [
      ["POST", "/api/v1/apps", registerApp],
      ["GET", "/oauth/authorize", oauthAuthorize],
      ["POST", "/oauth/authorize", oauthAuthorize],
      ["POST", "/oauth/token", oauthToken],
      ["POST", "/oauth/revoke", oauthRevoke],
      ["GET", "/api/v2/instance", instance],
      ["GET", "/api/v1/accounts/verify_credentials", verifyCredentials],
      ["GET", "/api/v1/accounts/:id/statuses", (req, p) => accountStatuses(req, p.id!)],
      ["POST", "/api/v1/statuses", createStatus],
      ["GET", "/api/v1/statuses", getStatuses],
      ["GET", "/api/v1/statuses/:id/context", (req, p) => statusContext(req, p.id!)],
      ["GET", "/api/v1/statuses/:id", (req, p) => getStatus(req, p.id!)],
      ["DELETE", "/api/v1/statuses/:id", (req, p) => deleteStatus(req, p.id!)],
    ],
    () => json(404, NOT_FOUND),
  );

  // Rack::Attack: per token with a valid token, otherwise per address (one here).
  const rateKey = (req: FakeRequest) => {
    const check = tokens.check(bearerToken(req));
    return check.ok ? `token:${check.token.value}` : "address";
  };
  const isApi = (req: FakeRequest) => req.path.startsWith("/api/");

  const server = await startFakeServer({
    clock,
    latencyMs: options.latencyMs,
    handle: (req) => {
      if (isApi(req) && limits.hit(rateKey(req), rateLimit).exceeded) return json(429, TOO_MANY);
      return routes(req);
    },
    faultBody: (status) => (status === 429 ? TOO_MANY : { error: `Fake Mastodon answered ${status}` }),
    decorate: (req, reply) => {
      if (!isApi(req)) return reply;
      const state = limits.peek(rateKey(req), rateLimit);
      const headers = {
        "X-RateLimit-Limit": String(state.limit),
        "X-RateLimit-Remaining": String(reply.status === 429 ? 0 : state.remaining),
        "X-RateLimit-Reset": isoMicro(state.resetAt),
      };
      return { ...reply, headers: { ...headers, ...reply.headers } };
    },
  });
  origin = server.url;

  return {
    ...server,
    apps,
    statuses,
    account,
    createToken: (username, scopes = ["read", "write"]) => {
      account(username);
      return tokens.issue("access", { account: username, clientId: "fake-test-client", scopes }).value;
    },
    revokeToken: (token) => void tokens.revoke(token),
    setFollowers: (username, followers) => void (account(username).followers = followers),
    setCounts: (id, counts) => {
      const status = statuses.get(id);
      if (!status) throw new Error(`No status ${id}`);
      status.favourites = counts.favourites ?? status.favourites;
      status.reblogs = counts.reblogs ?? status.reblogs;
      status.replies = counts.replies ?? status.replies;
    },
    deleteStatus: (id) => void statuses.delete(id),
    resetRateLimits: () => limits.reset(),
  };
}
