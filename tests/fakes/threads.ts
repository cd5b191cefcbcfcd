import { measureText } from "@/lib/networks/measure";
import { authorize, AuthorizationCodes, Clock, type AuthorizeCheck, type FakeRequest, type FakeResponse, type FakeServer, field, isRedirectUri, json, randomToken, router, startFakeServer } from "./common";

/**
 * A fake Threads API (graph.threads.net) after docs/networks/threads.md: the authorisation
 * window (threads.net/oauth/authorize) and code exchange for the app's id and secret, /me,
 * long-lived token
 * exchange and refresh (a day old at least, not expired), text containers with a link
 * attachment and the 500-character limit, containers that expire after 24 hours,
 * threads_publish with the 250-per-24-hours limit, container status, the person's own
 * posts and their insights. Tokens travel as access_token or a Bearer header, as Meta allows.
 */

const DAY = 24 * 60 * 60 * 1000;
const LONG_LIVED_S = 60 * 24 * 60 * 60;

export interface FakeThreadsOptions {
  /** The Threads app id and secret the organisation entered. */
  appId?: string;
  appSecret: string;
  /** Approve the authorisation window at once, as "ripple-user". */
  autoApprove?: boolean;
  /** Delay before each answer: slow networks leave requests in flight (fault tests). */
  latencyMs?: number;
}

const SCOPES = ["threads_basic", "threads_content_publish", "threads_manage_insights"];
const USER_METRICS = ["views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count", "follower_demographics"];

type Token = { userId: string; longLived: boolean; issuedAt: number; expiresAt: number };
type Container = { id: string; userId: string; text: string; link?: string; createdAt: number; mediaId?: string };
export type ThreadsPost = { id: string; userId: string; text: string; link_attachment_url?: string; publishedAt: number; insights: Record<string, number> };

export interface FakeThreads extends FakeServer {
  /** A short-lived token for this user, as the authorisation code exchange would give. */
  shortLivedToken(userId: string): string;
  /** The user id of an account name (the name the authorisation window was approved as). */
  userIdOf(account: string): string;
  /** A long-lived (60-day) token for an account, as connecting ends with. */
  createToken(account: string): string;
  posts: ThreadsPost[];
  containers: Map<string, Container>;
  /** The fake's own time (real time plus what tests moved it forward). */
  now(): number;
  /** The profile's follower count, as threads_insights?metric=followers_count reports it (0 until set). */
  setFollowers(account: string, count: number): void;
}

const graphError = (status: number, message: string, code: number, type = "OAuthException") => json(status, { error: { message, type, code, fbtrace_id: randomToken(8) } });

export async function startFakeThreads(options: FakeThreadsOptions): Promise<FakeThreads> {
  const clock = new Clock();
  const tokens = new Map<string, Token>();
  const containers = new Map<string, Container>();
  const posts: ThreadsPost[] = [];
  const followers = new Map<string, number>();
  let next = 17_800_000_000_000_000n;
  const newId = () => (next += 1n).toString();

  const issue = (userId: string, longLived: boolean): { token: string; expiresIn: number } => {
    const token = randomToken();
    const expiresIn = longLived ? LONG_LIVED_S : 3600;
    tokens.set(token, { userId, longLived, issuedAt: clock.now(), expiresAt: clock.now() + expiresIn * 1000 });
    return { token, expiresIn };
  };
  const tokenOf = (req: FakeRequest): Token | undefined => {
    const value = req.query.get("access_token") ?? field(req.body, "access_token") ?? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = value ? tokens.get(value) : undefined;
    return token && token.expiresAt > clock.now() ? token : undefined;
  };
  const invalidToken = () => graphError(401, "Error validating access token: Session has expired or is invalid.", 190);
  const codes = new AuthorizationCodes(clock);
  const accounts = new Map<string, string>();
  const userIdOf = (account: string) => {
    let id = accounts.get(account);
    if (!id) accounts.set(account, (id = newId()));
    return id;
  };
  const usernameOf = (userId: string) => [...accounts].find(([, id]) => id === userId)?.[0] ?? `user${userId.slice(-6)}`;
  const checkAuthorize = (params: URLSearchParams): AuthorizeCheck => {
    const redirectUri = params.get("redirect_uri");
    const scopes = (params.get("scope") ?? "").split(",").filter(Boolean);
    const valid =
      params.get("client_id") === (options.appId ?? "threads-app") &&
      isRedirectUri(redirectUri) &&
      params.get("response_type") === "code" &&
      scopes.length > 0 &&
      scopes.every((scope) => SCOPES.includes(scope));
    if (!valid) return { ok: false, message: "Invalid platform app" };
    return { ok: true, request: { clientId: params.get("client_id")!, redirectUri, scopes, state: params.get("state") ?? undefined }, appName: "Ripple" };
  };
  const status = (container: Container) => (container.mediaId ? "PUBLISHED" : clock.now() - container.createdAt >= DAY ? "EXPIRED" : "FINISHED");

  const handle = router(
    [
      ["GET", "/oauth/authorize", (req) =>
        authorize(req, { network: "Fake Threads", autoApprove: options.autoApprove ?? false, codes, check: checkAuthorize, denied: { error: "access_denied", error_description: "Permissions error" } })],
      ["POST", "/oauth/authorize", (req) =>
        authorize(req, { network: "Fake Threads", autoApprove: options.autoApprove ?? false, codes, check: checkAuthorize, denied: { error: "access_denied", error_description: "Permissions error" } })],
      ["POST", "/oauth/access_token", (req) => {
        if (field(req.body, "client_id") !== (options.appId ?? "threads-app") || field(req.body, "client_secret") !== options.appSecret) return graphError(400, "Error validating client secret.", 1);
        if (field(req.body, "grant_type") !== "authorization_code") return graphError(400, "Unsupported grant type", 100);
        const grant = codes.redeem(field(req.body, "code"), { clientId: field(req.body, "client_id"), redirectUri: field(req.body, "redirect_uri"), codeVerifier: undefined });
        if (!grant) return graphError(400, "Error validating verification code.", 100);
        const userId = userIdOf(grant.account);
        return json(200, { access_token: issue(userId, false).token, user_id: Number(userId) });
      }],
      ["GET", "/v1.0/me", (req) => {
        const token = tokenOf(req);
        if (!token) return invalidToken();
        const username = usernameOf(token.userId);
        return json(200, { id: token.userId, username, name: username });
      }],
      ["GET", "/access_token", (req) => {
        const token = tokenOf(req);
        if (req.query.get("grant_type") !== "th_exchange_token" || req.query.get("client_secret") !== options.appSecret) return graphError(400, "Invalid grant or secret", 101);
        if (!token || token.longLived) return invalidToken();
        const { token: value, expiresIn } = issue(token.userId, true);
        return json(200, { access_token: value, token_type: "bearer", expires_in: expiresIn });
      }],
      ["GET", "/refresh_access_token", (req) => {
        const token = tokenOf(req);
        if (req.query.get("grant_type") !== "th_refresh_token" || !token || !token.longLived) return invalidToken();
        if (clock.now() - token.issuedAt < DAY) return graphError(400, "Token must be at least 24 hours old to refresh", 190);
        const { token: value, expiresIn } = issue(token.userId, true);
        return json(200, { access_token: value, token_type: "bearer", expires_in: expiresIn });
      }],
      ["POST", "/v1.0/:userId/threads", (req, params) => {
        const token = tokenOf(req);
        if (!token || token.userId !== params.userId) return invalidToken();
        const text = field(req.body, "text") ?? "";
        if (field(req.body, "media_type") !== "TEXT" || !text) return graphError(400, "Invalid parameter", 100);
        if (measureText("threads", text).length > 500) return graphError(400, "Text exceeds 500 characters", 100);
        const container: Container = { id: newId(), userId: token.userId, text, link: field(req.body, "link_attachment"), createdAt: clock.now() };
        containers.set(container.id, container);
        return json(200, { id: container.id });
      }],
      ["POST", "/v1.0/:userId/threads_publish", (req, params) => {
        const token = tokenOf(req);
        if (!token || token.userId !== params.userId) return invalidToken();
        const container = containers.get(field(req.body, "creation_id") ?? "");
        if (!container || container.userId !== token.userId || status(container) !== "FINISHED") return graphError(400, "The media is not ready for publishing", 9007, "OAuthException");
        const used = posts.filter((post) => post.userId === token.userId && clock.now() - post.publishedAt < DAY).length;
        if (used >= 250) return graphError(400, "Publishing limit reached", 4, "OAuthException");
        const post: ThreadsPost = { id: newId(), userId: token.userId, text: container.text, link_attachment_url: container.link, publishedAt: clock.now(), insights: {} };
        posts.push(post);
        container.mediaId = post.id;
        return json(200, { id: post.id });
      }],
      ["GET", "/v1.0/:userId/threads", (req, params) => {
        const token = tokenOf(req);
        if (!token || token.userId !== params.userId) return invalidToken();
        const mine = posts.filter((post) => post.userId === token.userId).reverse();
        return json(200, { data: mine.map(({ id, text, link_attachment_url }) => ({ id, text, link_attachment_url })) });
      }],
      // User insights: followers_count is the current total in total_value [insights, "User Insights"].
      ["GET", "/v1.0/:userId/threads_insights", (req, params) => {
        const token = tokenOf(req);
        if (!token || token.userId !== params.userId) return invalidToken();
        const names = (req.query.get("metric") ?? "").split(",").filter(Boolean);
        if (names.length === 0 || names.some((name) => !USER_METRICS.includes(name))) return graphError(400, "Invalid metric", 100);
        return json(200, {
          data: names.map((name) => ({ name, period: "day", title: name, description: "", total_value: { value: name === "followers_count" ? (followers.get(token.userId) ?? 0) : 0 }, id: `${token.userId}/insights/${name}/day` })),
        });
      }],
      // The moving 24-hour publishing quota [overview, "Rate Limits"].
      ["GET", "/v1.0/:userId/threads_publishing_limit", (req, params) => {
        const token = tokenOf(req);
        if (!token || token.userId !== params.userId) return invalidToken();
        const used = posts.filter((post) => post.userId === token.userId && clock.now() - post.publishedAt < DAY).length;
        return json(200, { data: [{ quota_usage: used, config: { quota_total: 250, quota_duration: 86400 } }] });
      }],
      ["GET", "/v1.0/:id/insights", (req, params) => {
        const token = tokenOf(req);
        const post = posts.find((candidate) => candidate.id === params.id);
        if (!token || !post || post.userId !== token.userId) return graphError(400, "Unsupported get request", 100);
        const names = (req.query.get("metric") ?? "").split(",").filter(Boolean);
        return json(200, { data: names.map((name) => ({ name, period: "lifetime", values: [{ value: post.insights[name] ?? 0 }], id: `${post.id}/insights/${name}/lifetime` })) });
      }],
      ["GET", "/v1.0/:id", (req, params) => {
        const token = tokenOf(req);
        const post = posts.find((candidate) => candidate.id === params.id);
        if (token && post && post.userId === token.userId) return json(200, { id: post.id, permalink: `https://www.threads.net/@${usernameOf(post.userId)}/post/${post.id}` });
        const container = containers.get(params.id ?? "");
        if (!token || !container || container.userId !== token.userId) return graphError(400, "Unsupported get request", 100);
        // The documented answer carries the container's own id, never the media id.
        return json(200, { id: container.id, status: status(container) });
      }],
    ],
    () => graphError(404, "Unknown path", 803),
  );

  const server = await startFakeServer({
    clock,
    latencyMs: options.latencyMs,
    handle: (req): FakeResponse | Promise<FakeResponse> => handle(req),
    faultBody: (code) => ({ error: { message: `Injected ${code}`, type: "OAuthException", code: 2 } }),
  });
  return Object.assign(server, { shortLivedToken: (userId: string) => issue(userId, false).token, userIdOf, createToken: (account: string) => issue(userIdOf(account), true).token, posts, containers, now: () => clock.now(), setFollowers: (account: string, count: number) => void followers.set(userIdOf(account), count) });
}
