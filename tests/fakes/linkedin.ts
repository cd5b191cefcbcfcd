import { randomBytes } from "node:crypto";
import { measureText } from "@/lib/networks/measure";
import {
  authorize,
  type AuthorizeCheck,
  AuthorizationCodes,
  bearerToken,
  Clock,
  codeChallenge,
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  field,
  isRecord,
  isRedirectUri,
  json,
  randomToken,
  router,
  sameSecret,
  snowflakes,
  startFakeServer,
  TokenStore,
} from "./common";

/**
 * A fake LinkedIn for member posting after networks.md §1: OAuth 2.0 (3-legged, optional
 * programmatic refresh), OpenID userinfo, POST /rest/posts with its version and protocol
 * headers, the duplicate check, the 3000-character limit, the URN in x-restli-id, and
 * memberCreatorPostAnalytics. LinkedIn documents no rate-limit headers, so there are none;
 * a 429 comes only from inject().
 *
 * Error bodies are the ones quoted in networks.md or seen in public bug reports; the few
 * marked UNVERIFIED below are plausible shapes no source confirmed.
 */

export type LinkedInMetric = "IMPRESSION" | "MEMBERS_REACHED" | "RESHARE" | "REACTION" | "COMMENT" | "POST_SAVE";
const METRICS: LinkedInMetric[] = ["IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT", "POST_SAVE"];

export interface FakeLinkedInOptions {
  clientId: string;
  clientSecret: string;
  /** The app's registered redirect URLs; any http(s) URL when absent. */
  redirectUris?: string[];
  /** Active LinkedIn-Version values (YYYYMM); default the last 12 months including this one. */
  activeVersions?: string[];
  /** Programmatic refresh tokens (approved partners only); without it no refresh_token is issued. */
  refreshTokens?: boolean;
  /**
   * Scopes the app's products grant (default openid profile email w_member_social
   * r_member_postAnalytics). Asking for another gets unauthorized_scope_error.
   */
  appScopes?: string[];
  /** The app name on the consent page (default "Ripple"). */
  appName?: string;
  /** GET /oauth/v2/authorization redirects at once, as "ripple-user". */
  autoApprove?: boolean;
  latencyMs?: number;
}

export interface LinkedInMember {
  /** The OpenID subject; the author URN is urn:li:person:<sub>. */
  sub: string;
  username: string;
  givenName: string;
  familyName: string;
  email: string;
  locale: { country: string; language: string };
}

export interface LinkedInPost {
  urn: string;
  author: string;
  commentary: string;
  /** The request body as received. */
  body: Record<string, unknown>;
  createdAt: Date;
  /** Deleted posts answer 404 but still count as duplicates (networks.md §1, composio#2710). */
  deleted: boolean;
  metrics: Partial<Record<LinkedInMetric, number>>;
}

/** A comment made through the Comments API (POST /rest/socialActions/{post}/comments). */
export interface LinkedInComment {
  /** urn:li:comment:(urn:li:activity:<post>,<id>), as LinkedIn names comments. */
  urn: string;
  id: string;
  /** The commented post's URN, as sent in the path and as `object`. */
  object: string;
  actor: string;
  text: string;
  createdAt: Date;
}

/** An image made through the Images API: uploaded once its bytes were PUT. */
export type LinkedInImage = { urn: string; owner: string; uploaded: { bytes: number; contentType: string } | null };

export interface FakeLinkedIn extends FakeServer {
  posts: LinkedInPost[];
  comments: LinkedInComment[];
  /** The image URN's upload, or undefined when none was made. */
  image(urn: string): LinkedInImage | undefined;
  /** The member signed in as `username`, created on first use. */
  member(username: string): LinkedInMember;
  /** A 60-day access token for `username` without the OAuth dance (default: every app scope). */
  createToken(username: string, scopes?: string[]): string;
  /** As if the member removed the app: 401 REVOKED_ACCESS_TOKEN. */
  revokeToken(token: string): void;
  /** 401 EXPIRED_ACCESS_TOKEN from now on (access tokens), invalid for refresh (refresh tokens). */
  expireToken(token: string): void;
  setMetrics(urn: string, metrics: Partial<Record<LinkedInMetric, number>>): void;
  /**
   * How analytics elements carry their metric type: "string" ("IMPRESSION", the current
   * versions) or "object" (one member naming the type, as older versions answer).
   */
  answerMetricTypesAs(form: "string" | "object"): void;
  /** As if the member deleted the post. */
  deletePost(urn: string): void;
}

const ACCESS_TTL_S = 5_184_000; // 60 days
const REFRESH_TTL_S = 31_536_000; // 365 days from the first grant, not extended
const TEXT_LIMIT = 3000;

// 401s: [3p react-native-linkedin#80; omniauth-linkedin-oauth2#81]; the expired message is UNVERIFIED.
const INVALID_TOKEN = { serviceErrorCode: 65600, message: "Invalid access token", status: 401 };
const REVOKED_TOKEN = { status: 401, serviceErrorCode: 65601, code: "REVOKED_ACCESS_TOKEN", message: "The token used in the request has been revoked by the user" };
const EXPIRED_TOKEN = { status: 401, serviceErrorCode: 65601, code: "EXPIRED_ACCESS_TOKEN", message: "The token used in the request has expired" };
// [3p Automattic/wp-calypso#32007]
const THROTTLED = { serviceErrorCode: 101, message: "Resource level throttle limit for calls to this resource is reached.", status: 429 };
// Token endpoint errors: the code message is the one LinkedIn is widely reported to send; the others are UNVERIFIED.
const CODE_REJECTED = {
  error: "invalid_request",
  error_description:
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
};
const CLIENT_REJECTED = { error: "invalid_client", error_description: "Client authentication failed" };

const forbidden = (what: string) => ({ status: 403, serviceErrorCode: 100, code: "ACCESS_DENIED", message: `Not enough permissions to access: ${what}` });
/** Rest.li's shape for a bad request parameter (UNVERIFIED). */
const badRequest = (message: string) => json(400, { status: 400, message });

const badRequestError = (status: number, message: string, inputError: Record<string, unknown>) => ({
  errorDetailType: "com.linkedin.common.error.BadRequest",
  message,
  errorDetails: { inputErrors: [inputError] },
  status,
});

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The last twelve YYYYMM values, this month included. */
function lastTwelveMonths(now: Date): string[] {
  return Array.from({ length: 12 }, (_, i) => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    return `${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
  });
}

const header = (req: FakeRequest, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The raw (still percent-encoded) value of a query parameter, as Rest.li 2.0 parses it. */
const rawParam = (req: FakeRequest, name: string) =>
  req.rawQuery
    .split("&")
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);

export async function startFakeLinkedIn(options: FakeLinkedInOptions): Promise<FakeLinkedIn> {
  const activeVersions = options.activeVersions ?? lastTwelveMonths(new Date());
  const appScopes = options.appScopes ?? ["openid", "profile", "email", "w_member_social", "r_member_postAnalytics"];
  const clock = new Clock();
  const nextShareId = snowflakes(clock, 22n);
  const codes = new AuthorizationCodes(clock);
  const tokens = new TokenStore(clock, "AQ");
  const members = new Map<string, LinkedInMember>();
  const posts: LinkedInPost[] = [];
  /** Refresh token → when its grant began (its 365 days are not extended). */
  const refreshGrantStart = new Map<string, number>();

  const member = (username: string): LinkedInMember => {
    let found = members.get(username);
    if (!found) {
      const words = username.split(/[-_.]+/).filter(Boolean).map(capitalise);
      found = {
        sub: randomToken(8).replace(/[-_]/g, "x").slice(0, 10),
        username,
        givenName: words[0] ?? "Member",
        familyName: words.slice(1).join(" ") || "Tester",
        email: `${username}@example.com`,
        locale: { country: "DK", language: "da" },
      };
      members.set(username, found);
    }
    return found;
  };
  const personUrn = (m: LinkedInMember) => `urn:li:person:${m.sub}`;

  // --- OAuth ---------------------------------------------------------------------------

  const checkAuthorize = (params: URLSearchParams): AuthorizeCheck => {
    if (params.get("client_id") !== options.clientId) return { ok: false, message: "The passed in client_id is invalid." };
    const redirectUri = params.get("redirect_uri");
    const registered = options.redirectUris ? options.redirectUris.includes(redirectUri ?? "") : isRedirectUri(redirectUri);
    if (!redirectUri || !registered) return { ok: false, message: "The redirect_uri does not match the registered value" };
    // The official client joins scopes with ","; blog examples use spaces.
    const scopes = (params.get("scope") ?? "").split(/[\s,]+/).filter(Boolean);
    const challenge = codeChallenge(params);
    const request = { clientId: options.clientId, redirectUri, scopes, state: params.get("state") ?? undefined };
    const appName = options.appName ?? "Ripple";
    if (params.get("response_type") !== "code" || challenge === "invalid" || scopes.length === 0) {
      return { ok: true, request, appName, redirectError: { error: "invalid_request", error_description: "The request is missing a required parameter or is malformed" } };
    }
    const unauthorised = scopes.find((scope) => !appScopes.includes(scope));
    if (unauthorised) {
      return { ok: true, request, appName, redirectError: { error: "unauthorized_scope_error", error_description: `Scope "${unauthorised}" is not authorized for your application` } };
    }
    return { ok: true, request: { ...request, codeChallenge: challenge }, appName };
  };

  const oauthAuthorize = (req: FakeRequest) =>
    authorize(req, {
      network: "Fake LinkedIn",
      autoApprove: options.autoApprove ?? false,
      codes,
      check: checkAuthorize,
      denied: { error: "user_cancelled_authorize", error_description: "The user cancelled the authorization" },
    });

  const tokenResponse = (account: string, scopes: string[], refresh: { value: string; grantStart: number } | undefined) => {
    const access = tokens.issue("access", { account, clientId: options.clientId, scopes, expiresAt: clock.now() + ACCESS_TTL_S * 1000 });
    return json(200, {
      access_token: access.value,
      expires_in: ACCESS_TTL_S,
      ...(refresh && {
        refresh_token: refresh.value,
        refresh_token_expires_in: Math.max(0, Math.ceil((refresh.grantStart + REFRESH_TTL_S * 1000 - clock.now()) / 1000)),
      }),
      scope: scopes.join(","),
      token_type: "Bearer",
    });
  };

  const accessToken = (req: FakeRequest) => {
    if (field(req.body, "client_id") !== options.clientId || !sameSecret(field(req.body, "client_secret"), options.clientSecret)) {
      return json(401, CLIENT_REJECTED);
    }
    const grantType = field(req.body, "grant_type");
    if (grantType === "authorization_code") {
      const grant = codes.redeem(field(req.body, "code"), {
        clientId: field(req.body, "client_id"),
        redirectUri: field(req.body, "redirect_uri"),
        codeVerifier: field(req.body, "code_verifier"),
      });
      if (!grant) return json(400, CODE_REJECTED);
      member(grant.account);
      let refresh: { value: string; grantStart: number } | undefined;
      if (options.refreshTokens) {
        const token = tokens.issue("refresh", { account: grant.account, clientId: options.clientId, scopes: grant.scopes, expiresAt: clock.now() + REFRESH_TTL_S * 1000 });
        refresh = { value: token.value, grantStart: token.issuedAt };
        refreshGrantStart.set(token.value, token.issuedAt);
      }
      return tokenResponse(grant.account, grant.scopes, refresh);
    }
    if (grantType === "refresh_token") {
      // The same refresh token comes back with its remaining lifetime (UNVERIFIED: LinkedIn may rotate it).
      const check = tokens.check(field(req.body, "refresh_token"), "refresh");
      if (!check.ok) return json(400, { error: "invalid_request", error_description: "The provided refresh token is invalid or expired" });
      const grantStart = refreshGrantStart.get(check.token.value) ?? check.token.issuedAt;
      return tokenResponse(check.token.account, check.token.scopes, { value: check.token.value, grantStart });
    }
    return json(400, { error: "unsupported_grant_type", error_description: "The grant_type is not supported" });
  };

  // --- API -----------------------------------------------------------------------------

  type Auth = { ok: true; member: LinkedInMember; scopes: string[] } | { ok: false; reply: FakeResponse };

  const authenticate = (req: FakeRequest): Auth => {
    const check = tokens.check(bearerToken(req));
    if (check.ok) return { ok: true, member: member(check.token.account), scopes: check.token.scopes };
    const body = check.reason === "revoked" ? REVOKED_TOKEN : check.reason === "expired" ? EXPIRED_TOKEN : INVALID_TOKEN;
    return { ok: false, reply: json(401, body) };
  };

  /**
   * The headers every /rest call needs. LinkedIn names versions YYYYMM (or YYYYMM.RR) and
   * reports them as YYYYMMDD. Which comes first, this or the token check, is UNVERIFIED.
   */
  const checkRestHeaders = (req: FakeRequest): { ok: true; version: string } | { ok: false; reply: FakeResponse } => {
    const version = header(req, "linkedin-version");
    if (!version) {
      // networks.md §10 says 426; this code and message are UNVERIFIED.
      return { ok: false, reply: json(426, { status: 426, code: "VERSION_MISSING", message: "A version must be present. Please specify a version by adding the LinkedIn-Version header." }) };
    }
    const match = /^(\d{6})(?:\.(\d{2}))?$/.exec(version);
    const reported = match ? `${match[1]}${match[2] ?? "01"}` : version;
    if (!match || !activeVersions.includes(match[1]!)) {
      return { ok: false, reply: json(426, { status: 426, code: "NONEXISTENT_VERSION", message: `Requested version ${reported} is not active` }) };
    }
    if (header(req, "x-restli-protocol-version") !== "2.0.0") {
      return { ok: false, reply: badRequest("X-Restli-Protocol-Version 2.0.0 is required for this resource") };
    }
    return { ok: true, version: reported };
  };

  type RestContext = { member: LinkedInMember; scopes: string[]; version: string };
  const rest =
    (handler: (req: FakeRequest, ctx: RestContext) => FakeResponse) =>
    (req: FakeRequest): FakeResponse => {
      const auth = authenticate(req);
      if (!auth.ok) return auth.reply;
      const headers = checkRestHeaders(req);
      if (!headers.ok) return headers.reply;
      return handler(req, { member: auth.member, scopes: auth.scopes, version: headers.version });
    };

  const userinfo = (req: FakeRequest) => {
    const auth = authenticate(req);
    if (!auth.ok) return auth.reply;
    if (!auth.scopes.includes("openid")) return json(403, { serviceErrorCode: 100, message: "Not enough permissions to access: GET /userinfo", status: 403 });
    const m = auth.member;
    return json(200, {
      sub: m.sub,
      ...(auth.scopes.includes("profile") && {
        name: `${m.givenName} ${m.familyName}`,
        given_name: m.givenName,
        family_name: m.familyName,
        picture: `https://media.licdn.example/${m.sub}/profile-displayphoto-shrink_100_100.jpg`,
        locale: m.locale,
      }),
      ...(auth.scopes.includes("email") && { email: m.email, email_verified: true }),
    });
  };

  const me = (req: FakeRequest) => {
    const auth = authenticate(req);
    if (!auth.ok) return auth.reply;
    return json(403, { serviceErrorCode: 100, message: "Not enough permissions to access: GET /me", status: 403 });
  };

  const REQUIRED_POST_FIELDS = ["author", "visibility", "distribution", "lifecycleState"];

  const createPost = rest((req, { member: caller, scopes, version }) => {
    if (!scopes.includes("w_member_social")) return json(403, forbidden(`partnerApiPostsExternal.CREATE.${version}`));
    if (!isRecord(req.body)) return badRequest("The request body is not valid JSON");
    const body = req.body;
    const missing = REQUIRED_POST_FIELDS.find((name) => body[name] === undefined);
    if (missing) {
      // Shape of LinkedIn's schema validation errors (UNVERIFIED).
      const message = `ERROR :: /${missing} :: field is required but not found and has no default value\n`;
      return json(422, badRequestError(422, message, { description: "Field is required but not found and has no default value", input: { inputPath: { fieldPath: `/${missing}` } }, code: "MISSING_REQUIRED_FIELD" }));
    }
    if (body.author !== personUrn(caller)) return json(403, forbidden(`partnerApiPostsExternal.CREATE.${version}`));
    const commentary = typeof body.commentary === "string" ? body.commentary : "";
    const length = measureText("linkedin", commentary).length;
    if (length > TEXT_LIMIT) {
      const message = `com.linkedin.content.common.exception.BadRequestResponseException: ShareCommentary text length (${length} characters) exceeded the maximum allowed (${TEXT_LIMIT} characters)`;
      return json(400, badRequestError(400, message, { description: "Size of array cannot be higher than the maxLength", input: { value: { stringValue: commentary } }, code: "FIELD_ARRAY_SIZE_TOO_HIGH", maxLength: TEXT_LIMIT }));
    }
    const thumbnail = isRecord(body.content) && isRecord(body.content.article) ? body.content.article.thumbnail : undefined;
    if (thumbnail !== undefined) {
      const image = [...images.values()].find((i) => i.urn === thumbnail);
      // An image that was never uploaded, or someone else's (the error's shape is UNVERIFIED).
      if (!image?.uploaded || image.owner !== personUrn(caller)) return json(400, badRequestError(400, `Invalid thumbnail ${String(thumbnail)}`, { description: "Image not found or not ready", input: {}, code: "INVALID_THUMBNAIL" }));
    }
    const duplicate = posts.find((p) => p.author === personUrn(caller) && p.commentary === commentary);
    if (duplicate) {
      const message = `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${duplicate.urn}`;
      return json(422, badRequestError(422, message, { description: "Duplicate post is detected", input: {}, code: "DUPLICATE_POST" }));
    }
    const post: LinkedInPost = { urn: `urn:li:share:${nextShareId()}`, author: personUrn(caller), commentary, body, createdAt: new Date(clock.now()), deleted: false, metrics: {} };
    posts.push(post);
    return { status: 201, headers: { "x-restli-id": post.urn } };
  });

  const renderPost = (p: LinkedInPost) => ({
    ...p.body,
    id: p.urn,
    createdAt: p.createdAt.getTime(),
    publishedAt: p.createdAt.getTime(),
    lastModifiedAt: p.createdAt.getTime(),
    lifecycleStateInfo: { isEditedByAuthor: false },
  });

  // Finding posts by author needs r_member_social, which LinkedIn grants to select developers only.
  const findPosts = rest((req, { member: caller, scopes, version }) => {
    if (req.query.get("q") !== "author") return badRequest("Invalid value for param 'q'");
    if (!scopes.includes("r_member_social")) return json(403, forbidden(`partnerApiPostsExternal.FINDER-author.${version}`));
    if (req.query.get("author") !== personUrn(caller)) return json(403, forbidden(`partnerApiPostsExternal.FINDER-author.${version}`));
    const start = Math.max(0, Number(req.query.get("start") ?? 0) || 0);
    const count = Math.min(100, Math.max(1, Number(req.query.get("count") ?? 10) || 10));
    const own = posts.filter((p) => p.author === personUrn(caller) && !p.deleted).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return json(200, { elements: own.slice(start, start + count).map(renderPost), paging: { start, count, links: [], total: own.length } });
  });

  /**
   * Comments API [doc community-management/shares/comments-api]: creating needs
   * w_member_social, reading needs the restricted r_member_social. The answer's fields
   * beyond actor, object and message (id, commentUrn, created) follow the doc's sample;
   * sending both the body and x-restli-id is UNVERIFIED.
   */
  const comments: LinkedInComment[] = [];
  let commentSeq = 7_100_000_000_000_000_000n;
  const createComment = (req: FakeRequest, params: { urn?: string }) =>
    rest((_, { member: caller, scopes, version }) => {
      if (!scopes.includes("w_member_social")) return json(403, forbidden(`socialActions.comments.CREATE.${version}`));
      if (!isRecord(req.body)) return badRequest("The request body is not valid JSON");
      const body = req.body;
      const text = isRecord(body.message) && typeof body.message.text === "string" ? body.message.text : "";
      if (body.actor !== personUrn(caller)) return json(403, forbidden(`socialActions.comments.CREATE.${version}`));
      if (body.object !== params.urn) return badRequest("The object must be the entity in the path");
      if (text.trim() === "") return json(422, badRequestError(422, "ERROR :: /message/text :: field is required", { description: "Field is required", input: {}, code: "MISSING_REQUIRED_FIELD" }));
      const post = posts.find((p) => p.urn === params.urn && !p.deleted);
      if (!post) return json(404, { status: 404, message: `Entity ${params.urn} not found` });
      const id = String((commentSeq += 1n));
      const activity = post.urn.replace(/^urn:li:(share|ugcPost):/, "urn:li:activity:");
      const comment: LinkedInComment = { urn: `urn:li:comment:(${activity},${id})`, id, object: post.urn, actor: personUrn(caller), text, createdAt: new Date(clock.now()) };
      comments.push(comment);
      return json(201, renderComment(comment), { "x-restli-id": comment.urn });
    })(req);
  const renderComment = (c: LinkedInComment) => ({
    id: c.id,
    commentUrn: c.urn,
    actor: c.actor,
    object: c.object,
    message: { text: c.text, attributes: [] },
    created: { actor: c.actor, time: c.createdAt.getTime() },
  });
  const listComments = (req: FakeRequest, params: { urn?: string }) =>
    rest((_, { scopes, version }) => {
      if (!scopes.includes("r_member_social")) return json(403, forbidden(`socialActions.comments.GET_ALL.${version}`));
      const start = Math.max(0, Number(req.query.get("start") ?? 0) || 0);
      const count = Math.min(100, Math.max(1, Number(req.query.get("count") ?? 10) || 10));
      const on = comments.filter((c) => c.object === params.urn);
      return json(200, { elements: on.slice(start, start + count).map(renderComment), paging: { start, count, links: [], total: on.length } });
    })(req);

  let metricTypeForm: "string" | "object" = "string";
  const images = new Map<string, LinkedInImage>();
  const postAnalytics = rest((req, { member: caller, scopes, version }) => {
    if (req.query.get("q") !== "entity") return badRequest("Invalid value for param 'q'");
    if (!scopes.includes("r_member_postAnalytics")) return json(403, forbidden(`memberCreatorPostAnalytics.FINDER-entity.${version}`));
    // Rest.li 2.0: structure characters literal, the URN inside percent-encoded.
    const entity = /^\((share|ugc):([^():,]+)\)$/.exec(rawParam(req, "entity") ?? "");
    if (!entity) return badRequest("Invalid value for param 'entity': expected (share:<encoded urn>) or (ugc:<encoded urn>)");
    const urn = decodeURIComponent(entity[2]!);
    const queryType = req.query.get("queryType") as LinkedInMetric | null;
    if (!queryType || !METRICS.includes(queryType)) return badRequest("Invalid value for param 'queryType'");
    const aggregation = req.query.get("aggregation");
    if (aggregation === "DAILY") return json(501, { status: 501, message: "The fake LinkedIn implements aggregation=TOTAL only" });
    if (aggregation !== "TOTAL") return badRequest("Invalid value for param 'aggregation'");
    const post = posts.find((p) => p.urn === urn && !p.deleted);
    if (!post) return json(404, { status: 404, message: `Entity ${urn} not found` });
    if (post.author !== personUrn(caller)) return json(403, forbidden(`memberCreatorPostAnalytics.FINDER-entity.${version}`));
    // Element shape from third-party code (networks.md: UNVERIFIED); the object form as older
    // API versions answer (docs/networks/linkedin.md, "Metrics").
    const metricType = metricTypeForm === "object" ? { "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": queryType } : queryType;
    const element = { count: post.metrics[queryType] ?? 0, metricType, targetEntity: { [entity[1]!]: urn } };
    return json(200, { elements: [element], paging: { start: 0, count: 10, links: [] } });
  });

  // Images API (docs/networks/linkedin.md, "Link card image"): initializeUpload hands out an
  // upload URL on another path (LinkedIn's is www.linkedin.com/dms-uploads/…) and the image
  // URN; the bytes are PUT there with the member's token; a post may then name the image.
  const initializeImageUpload = rest((req, { member: caller, scopes, version }) => {
    if (req.query.get("action") !== "initializeUpload") return badRequest("Invalid value for param 'action'");
    if (!scopes.includes("w_member_social")) return json(403, forbidden(`images.ACTION-initializeUpload.${version}`));
    const owner = isRecord(req.body) && isRecord(req.body.initializeUploadRequest) ? req.body.initializeUploadRequest.owner : undefined;
    if (owner !== personUrn(caller)) return json(403, forbidden(`images.ACTION-initializeUpload.${version}`));
    const id = `D4E10AQ${randomBytes(6).toString("hex")}`;
    images.set(id, { urn: `urn:li:image:${id}`, owner, uploaded: null });
    return json(200, { value: { uploadUrlExpiresAt: clock.now() + 3_600_000, uploadUrl: `${server.url}/dms-uploads/${id}/uploaded-image/0`, image: `urn:li:image:${id}` } });
  });

  const uploadImage = (req: FakeRequest, params: { id?: string }) => {
    const auth = authenticate(req);
    if (!auth.ok) return auth.reply;
    const image = images.get(params.id ?? "");
    if (!image || image.owner !== personUrn(auth.member)) return json(404, { status: 404, message: "Upload not found" });
    if (req.raw.length === 0) return badRequest("Empty upload");
    image.uploaded = { bytes: req.raw.length, contentType: header(req, "content-type") ?? "" };
    return { status: 201 };
  };

  const routes = router(
    [
      ["POST", "/rest/images", initializeImageUpload],
      ["PUT", "/dms-uploads/:id/uploaded-image/0", uploadImage],
      ["GET", "/oauth/v2/authorization", oauthAuthorize],
      ["POST", "/oauth/v2/authorization", oauthAuthorize],
      ["POST", "/oauth/v2/accessToken", accessToken],
      ["GET", "/v2/userinfo", userinfo],
      ["GET", "/v2/me", me],
      ["POST", "/rest/posts", createPost],
      ["GET", "/rest/posts", findPosts],
      ["GET", "/rest/memberCreatorPostAnalytics", postAnalytics],
      ["POST", "/rest/socialActions/:urn/comments", createComment],
      ["GET", "/rest/socialActions/:urn/comments", listComments],
    ],
    () => json(404, { status: 404, message: "Resource not found" }),
  );

  const server = await startFakeServer({
    clock,
    latencyMs: options.latencyMs,
    handle: routes,
    faultBody: (status) => (status === 429 ? THROTTLED : { status, message: `Fake LinkedIn answered ${status}` }),
  });

  const postByUrn = (urn: string) => {
    const post = posts.find((p) => p.urn === urn);
    if (!post) throw new Error(`No post ${urn}`);
    return post;
  };

  return {
    ...server,
    posts,
    comments,
    member,
    createToken: (username, scopes = appScopes) => {
      member(username);
      return tokens.issue("access", { account: username, clientId: options.clientId, scopes, expiresAt: clock.now() + ACCESS_TTL_S * 1000 }).value;
    },
    revokeToken: (token) => void tokens.revoke(token),
    expireToken: (token) => void tokens.expire(token),
    setMetrics: (urn, metrics) => Object.assign(postByUrn(urn).metrics, metrics),
    answerMetricTypesAs: (form) => void (metricTypeForm = form),
    image: (urn) => [...images.values()].find((i) => i.urn === urn),
    deletePost: (urn) => void (postByUrn(urn).deleted = true),
  };
}
