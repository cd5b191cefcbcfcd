import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeServer } from "../fakes/common";
import { type FakeLinkedIn, startFakeLinkedIn } from "../fakes/linkedin";
import { type FakeMastodon, startFakeMastodon } from "../fakes/mastodon";
import { type FakeX, startFakeX } from "../fakes/x";

/**
 * The fake networks keep the contract of /shared/networks.md: these tests talk to them with
 * plain fetch, as the adapters will, and pin the headers, status codes and bodies.
 */

const REDIRECT = "http://127.0.0.1:3999/api/connections/callback";
const started: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((fake) => fake.close()));
});
async function track<T extends FakeServer>(fake: Promise<T>): Promise<T> {
  const server = await fake;
  started.push(server);
  return server;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** GETs an authorize URL without following the redirect; the code and state it carries. */
async function authorizeRedirect(url: string) {
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  return { location, code: location.searchParams.get("code"), state: location.searchParams.get("state") };
}

const withQuery = (base: string, params: Record<string, string>) => `${base}?${new URLSearchParams(params)}`;

// ---------------------------------------------------------------------------------------

describe("fake Mastodon", () => {
  let mastodon: FakeMastodon;
  beforeAll(async () => {
    mastodon = await track(startFakeMastodon({ autoApprove: true, maxCharacters: 100 }));
  });

  async function registerApp(fake: FakeMastodon, scopes = "read write") {
    const res = await fetch(`${fake.url}/api/v1/apps`, {
      method: "POST",
      body: form({ client_name: "Ripple", redirect_uris: REDIRECT, scopes, website: "https://ripple.example" }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { client_id: string; client_secret: string; redirect_uri: string; vapid_key: string };
  }

  async function signIn(fake: FakeMastodon, app: { client_id: string; client_secret: string }, scope = "read write") {
    const { code } = await authorizeRedirect(
      withQuery(`${fake.url}/oauth/authorize`, { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope, state: "s1" }),
    );
    const res = await fetch(`${fake.url}/oauth/token`, {
      method: "POST",
      body: form({ grant_type: "authorization_code", code: code!, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const post = (token: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${mastodon.url}/api/v1/statuses`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  it("registers an app, runs the OAuth round trip and returns the account", async () => {
    const app = await registerApp(mastodon);
    expect(app).toMatchObject({ redirect_uri: REDIRECT, client_id: expect.any(String), client_secret: expect.any(String), vapid_key: expect.any(String) });
    expect(mastodon.apps).toHaveLength(1);

    const { code, state, location } = await authorizeRedirect(
      withQuery(`${mastodon.url}/oauth/authorize`, { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "read write", state: "xyz" }),
    );
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(state).toBe("xyz");
    const exchange = () =>
      fetch(`${mastodon.url}/oauth/token`, {
        method: "POST",
        body: form({ grant_type: "authorization_code", code: code!, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret }),
      });
    const tokenRes = await exchange();
    const token = (await tokenRes.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ token_type: "Bearer", scope: "read write", created_at: expect.any(Number) });
    expect(token).not.toHaveProperty("expires_in");
    expect(token).not.toHaveProperty("refresh_token");

    // Codes are single use.
    const again = await exchange();
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_grant" });

    mastodon.setFollowers("ripple-user", 42);
    const me = await fetch(`${mastodon.url}/api/v1/accounts/verify_credentials`, { headers: bearer(token.access_token as string) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: "ripple-user", acct: "ripple-user", url: `${mastodon.url}/@ripple-user`, followers_count: 42 });
  });

  it("refuses unknown clients and redirect URIs with a page, bad secrets and stale codes at the token endpoint", async () => {
    const app = await registerApp(mastodon);
    const page = (params: Record<string, string>) => fetch(withQuery(`${mastodon.url}/oauth/authorize`, { response_type: "code", scope: "read", ...params }), { redirect: "manual" });
    const unknown = await page({ client_id: "nope", redirect_uri: REDIRECT });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("location")).toBeNull();
    expect((await page({ client_id: app.client_id, redirect_uri: "http://evil.example/cb" })).status).toBe(400);
    const badScope = await authorizeRedirect(withQuery(`${mastodon.url}/oauth/authorize`, { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "admin:write" }));
    expect(badScope.location.searchParams.get("error")).toBe("invalid_scope");

    const { code } = await authorizeRedirect(withQuery(`${mastodon.url}/oauth/authorize`, { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "read" }));
    const exchange = (secret: string) =>
      fetch(`${mastodon.url}/oauth/token`, { method: "POST", body: form({ grant_type: "authorization_code", code: code!, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: secret }) });
    const badSecret = await exchange("wrong");
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toMatchObject({ error: "invalid_client" });
    mastodon.advanceTime(61_000);
    expect((await exchange(app.client_secret)).status).toBe(400);
  });

  it("shows an accessible consent page whose form redirects with a code", async () => {
    const fake = await track(startFakeMastodon());
    const app = await registerApp(fake, "read write:statuses");
    const url = withQuery(`${fake.url}/oauth/authorize`, { response_type: "code", client_id: app.client_id, redirect_uri: REDIRECT, scope: "write:statuses", state: "abc" });
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Authorize Ripple</h1>");
    expect(html).toContain("<li>write:statuses</li>");
    expect(html).toMatch(/<label for="account">Account<\/label>\s*<input id="account" name="account" type="text" value="ripple-user"/);
    expect(html).toContain(">Authorize</button>");

    const submitted = await fetch(`${fake.url}/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      body: form({ ...Object.fromEntries(new URL(url).searchParams), account: "alice", decision: "approve" }),
    });
    expect(submitted.status).toBe(302);
    const location = new URL(submitted.headers.get("location")!);
    expect(location.searchParams.get("state")).toBe("abc");
    const token = await (
      await fetch(`${fake.url}/oauth/token`, {
        method: "POST",
        body: form({ grant_type: "authorization_code", code: location.searchParams.get("code")!, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret }),
      })
    ).json();
    expect(token).toMatchObject({ scope: "write:statuses" });
    // write:statuses does not cover reading the account.
    const me = await fetch(`${fake.url}/api/v1/accounts/verify_credentials`, { headers: bearer((token as { access_token: string }).access_token) });
    expect(me.status).toBe(403);
    expect(await me.json()).toEqual({ error: "This action is outside the authorized scopes" });
  });

  it("revokes a token: it then gets 401", async () => {
    const app = await registerApp(mastodon);
    const token = await signIn(mastodon, app);
    const revoke = await fetch(`${mastodon.url}/oauth/revoke`, { method: "POST", body: form({ token, client_id: app.client_id, client_secret: app.client_secret }) });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({});
    const me = await fetch(`${mastodon.url}/api/v1/accounts/verify_credentials`, { headers: bearer(token) });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ error: "The access token is invalid" });
  });

  it("posts with 200, replays an Idempotency-Key for an hour and validates the length the Mastodon way", async () => {
    const token = mastodon.createToken("poster");
    const first = await post(token, { status: "Hello <world> & friends", visibility: "public" }, { "Idempotency-Key": "share-1" });
    expect(first.status).toBe(200);
    const status = (await first.json()) as Record<string, unknown>;
    expect(status).toMatchObject({ content: "<p>Hello &lt;world&gt; &amp; friends</p>", visibility: "public", favourites_count: 0, account: { username: "poster" } });
    expect(status.url).toBe(`${mastodon.url}/@poster/${String(status.id)}`);
    expect(mastodon.requests.at(-1)?.headers["idempotency-key"]).toBe("share-1");

    const replay = await post(token, { status: "Another text entirely" }, { "Idempotency-Key": "share-1" });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { id: string }).id).toBe(status.id);
    expect(mastodon.statuses.size).toBe(1);
    mastodon.advanceTime(3_600_001);
    const later = await post(token, { status: "Hello again" }, { "Idempotency-Key": "share-1" });
    expect(((await later.json()) as { id: string }).id).not.toBe(status.id);

    const blank = await post(token, { status: "   " });
    expect(blank.status).toBe(422);
    expect(await blank.json()).toEqual({ error: "Validation failed: Text can't be blank" });
    const long = await post(token, { status: "x".repeat(101) });
    expect(long.status).toBe(422);
    expect(await long.json()).toEqual({ error: "Validation failed: Text character limit of 100 exceeded" });
    // A URL counts 23 and @user@domain counts as @user: 70 + 1 + 23 + 1 + 5 = 100.
    const fits = await post(token, { status: `${"y".repeat(70)} https://example.com/${"a".repeat(80)} @anna@mastodon.example` });
    expect(fits.status).toBe(200);

    const instance = (await (await fetch(`${mastodon.url}/api/v2/instance`)).json()) as { configuration: { statuses: unknown } };
    expect(instance.configuration.statuses).toEqual({ max_characters: 100, max_media_attachments: 4, characters_reserved_per_url: 23 });
  });

  it("serves statuses for reach, batch and per account, and 404s deleted ones", async () => {
    const token = mastodon.createToken("reach");
    const { id } = (await (await post(token, { status: "Counting" })).json()) as { id: string };
    mastodon.setCounts(id, { favourites: 5, reblogs: 2, replies: 1 });
    const single = await fetch(`${mastodon.url}/api/v1/statuses/${id}`);
    expect(await single.json()).toMatchObject({ id, favourites_count: 5, reblogs_count: 2, replies_count: 1 });
    const batch = (await (await fetch(`${mastodon.url}/api/v1/statuses?id[]=${id}&id[]=999`)).json()) as Array<{ id: string }>;
    expect(batch.map((s) => s.id)).toEqual([id]);
    const accountId = mastodon.account("reach").id;
    const recent = (await (await fetch(`${mastodon.url}/api/v1/accounts/${accountId}/statuses?limit=5`)).json()) as Array<{ id: string }>;
    expect(recent.map((s) => s.id)).toEqual([id]);

    // A public status needs no token, but one that is sent must be valid.
    const revoked = mastodon.createToken("reach");
    mastodon.revokeToken(revoked);
    expect((await fetch(`${mastodon.url}/api/v1/statuses/${id}`, { headers: bearer(revoked) })).status).toBe(401);

    mastodon.deleteStatus(id);
    const gone = await fetch(`${mastodon.url}/api/v1/statuses/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: "Record not found" });
  });

  it("sends X-RateLimit-* with an ISO reset on /api/* and answers 429 once the window is used up", async () => {
    const fake = await track(startFakeMastodon({ rateLimit: 2 }));
    const token = fake.createToken("busy");
    const call = () => fetch(`${fake.url}/api/v1/accounts/verify_credentials`, { headers: bearer(token) });
    const one = await call();
    expect(one.headers.get("x-ratelimit-limit")).toBe("2");
    expect(one.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(one.headers.get("x-ratelimit-reset")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await call();
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(await limited.json()).toEqual({ error: "Too many requests" });
    fake.advanceTime(5 * 60_000);
    expect((await call()).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------

describe("fake LinkedIn", () => {
  const client = { clientId: "li-client", clientSecret: "li-secret" };
  let linkedin: FakeLinkedIn;
  beforeAll(async () => {
    linkedin = await track(startFakeLinkedIn({ ...client, redirectUris: [REDIRECT], activeVersions: ["202601", "202602"], autoApprove: true }));
  });

  const rest = (token: string, extra: Record<string, string> = {}) => ({ ...bearer(token), "LinkedIn-Version": "202602", "X-Restli-Protocol-Version": "2.0.0", ...extra });
  const createPost = (token: string, author: string, commentary: string, headers: Record<string, string> = rest(token)) =>
    fetch(`${linkedin.url}/rest/posts`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({
        author,
        commentary,
        visibility: "PUBLIC",
        distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
        lifecycleState: "PUBLISHED",
        isReshareDisabledByAuthor: false,
      }),
    });
  const authorOf = (username: string) => `urn:li:person:${linkedin.member(username).sub}`;

  async function code(fake: FakeLinkedIn, scope: string) {
    const redirect = await authorizeRedirect(withQuery(`${fake.url}/oauth/v2/authorization`, { response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT, scope, state: "st" }));
    return redirect.code!;
  }
  const exchange = (fake: FakeLinkedIn, authCode: string, secret = client.clientSecret) =>
    fetch(`${fake.url}/oauth/v2/accessToken`, {
      method: "POST",
      body: form({ grant_type: "authorization_code", code: authCode, redirect_uri: REDIRECT, client_id: client.clientId, client_secret: secret }),
    });

  it("runs the OAuth round trip: 60-day token without refresh, userinfo, and /v2/me's 403", async () => {
    const authCode = await code(linkedin, "openid,profile,email,w_member_social");
    const res = await exchange(linkedin, authCode);
    expect(res.status).toBe(200);
    const token = (await res.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ expires_in: 5_184_000, scope: "openid,profile,email,w_member_social" });
    expect(token).not.toHaveProperty("refresh_token");

    const again = await exchange(linkedin, authCode);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_request", error_description: expect.stringContaining("Unable to retrieve access token") });

    const info = await fetch(`${linkedin.url}/v2/userinfo`, { headers: bearer(token.access_token as string) });
    expect(await info.json()).toMatchObject({
      sub: linkedin.member("ripple-user").sub,
      name: "Ripple User",
      given_name: "Ripple",
      family_name: "User",
      locale: { country: expect.any(String), language: expect.any(String) },
      email: "ripple-user@example.com",
      email_verified: true,
    });
    const me = await fetch(`${linkedin.url}/v2/me`, { headers: bearer(token.access_token as string) });
    expect(me.status).toBe(403);
    expect(await me.json()).toEqual({ serviceErrorCode: 100, message: "Not enough permissions to access: GET /me", status: 403 });
  });

  it("refuses a wrong secret, an unknown client or redirect URI, and scopes the app lacks", async () => {
    expect((await exchange(linkedin, await code(linkedin, "openid"), "wrong")).status).toBe(401);
    const page = (params: Record<string, string>) =>
      fetch(withQuery(`${linkedin.url}/oauth/v2/authorization`, { response_type: "code", scope: "openid", ...params }), { redirect: "manual" });
    expect((await page({ client_id: "other", redirect_uri: REDIRECT })).status).toBe(400);
    expect((await page({ client_id: client.clientId, redirect_uri: "http://127.0.0.1:3999/elsewhere" })).status).toBe(400);
    const restricted = await authorizeRedirect(withQuery(`${linkedin.url}/oauth/v2/authorization`, { response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT, scope: "r_member_social", state: "q" }));
    expect(restricted.location.searchParams.get("error")).toBe("unauthorized_scope_error");
    expect(restricted.state).toBe("q");
  });

  it("issues and honours refresh tokens only for the partner programme", async () => {
    const partner = await track(startFakeLinkedIn({ ...client, refreshTokens: true, autoApprove: true }));
    const token = (await (await exchange(partner, await code(partner, "openid w_member_social"))).json()) as Record<string, string | number>;
    expect(token).toMatchObject({ refresh_token: expect.any(String), refresh_token_expires_in: 31_536_000 });
    partner.advanceTime(86_400_000);
    const refreshed = await fetch(`${partner.url}/oauth/v2/accessToken`, {
      method: "POST",
      body: form({ grant_type: "refresh_token", refresh_token: String(token.refresh_token), client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const body = (await refreshed.json()) as Record<string, unknown>;
    // The refresh token's 365 days count from the first grant and are not extended.
    expect(body).toMatchObject({ expires_in: 5_184_000, refresh_token: token.refresh_token });
    expect(body.refresh_token_expires_in).toBeGreaterThanOrEqual(31_536_000 - 86_400 - 1);
    expect(body.refresh_token_expires_in).toBeLessThanOrEqual(31_536_000 - 86_400);
    expect(body.access_token).not.toBe(token.access_token);
  });

  it("creates a post: 201, empty body, the URN in x-restli-id", async () => {
    const token = linkedin.createToken("writer");
    const res = await createPost(token, authorOf("writer"), "Our new office opens today");
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-restli-id")).toMatch(/^urn:li:share:\d{19}$/);
    const recorded = linkedin.requests.at(-1)!;
    expect(recorded.headers["linkedin-version"]).toBe("202602");
    expect(recorded.headers["x-restli-protocol-version"]).toBe("2.0.0");
    expect(linkedin.posts.at(-1)).toMatchObject({ author: authorOf("writer"), commentary: "Our new office opens today" });
  });

  it("rejects missing or retired versions with 426 and a missing protocol header with 400", async () => {
    const token = linkedin.createToken("versions");
    const author = authorOf("versions");
    const { "LinkedIn-Version": _, ...noVersion } = rest(token);
    expect((await createPost(token, author, "a", noVersion)).status).toBe(426);
    const retired = await createPost(token, author, "b", rest(token, { "LinkedIn-Version": "202411" }));
    expect(retired.status).toBe(426);
    expect(await retired.json()).toEqual({ status: 426, code: "NONEXISTENT_VERSION", message: "Requested version 20241101 is not active" });
    const { "X-Restli-Protocol-Version": __, ...noProtocol } = rest(token);
    expect((await createPost(token, author, "c", noProtocol)).status).toBe(400);
  });

  it("answers a repeated text with 422 DUPLICATE_POST naming the first post, and over 3000 characters with 400", async () => {
    const token = linkedin.createToken("dupes");
    const first = await createPost(token, authorOf("dupes"), "Same words twice");
    const urn = first.headers.get("x-restli-id");
    linkedin.deletePost(urn!);
    const second = await createPost(token, authorOf("dupes"), "Same words twice");
    expect(second.status).toBe(422);
    const duplicate = (await second.json()) as { message: string; errorDetails: { inputErrors: Array<{ code: string }> }; status: number };
    expect(duplicate.message).toContain(`Content is a duplicate of ${urn}`);
    expect(duplicate.errorDetails.inputErrors[0]?.code).toBe("DUPLICATE_POST");

    const long = await createPost(token, authorOf("dupes"), "é".repeat(3001));
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({
      message: expect.stringContaining("ShareCommentary text length (3001 characters) exceeded the maximum allowed (3000 characters)"),
      errorDetails: { inputErrors: [{ code: "FIELD_ARRAY_SIZE_TOO_HIGH", maxLength: 3000 }] },
      status: 400,
    });
    expect((await createPost(token, authorOf("dupes"), "é".repeat(3000))).status).toBe(201);
  });

  it("answers expired and revoked tokens with LinkedIn's 401s", async () => {
    const expired = linkedin.createToken("lapsed");
    linkedin.expireToken(expired);
    const res = await createPost(expired, authorOf("lapsed"), "x");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, serviceErrorCode: 65601, code: "EXPIRED_ACCESS_TOKEN" });
    const revoked = linkedin.createToken("gone");
    linkedin.revokeToken(revoked);
    expect(await (await fetch(`${linkedin.url}/v2/userinfo`, { headers: bearer(revoked) })).json()).toMatchObject({ code: "REVOKED_ACCESS_TOKEN" });
  });

  it("serves member post analytics with r_member_postAnalytics and posts by author only with r_member_social", async () => {
    const token = linkedin.createToken("analyst");
    const urn = (await createPost(token, authorOf("analyst"), "Measure me")).headers.get("x-restli-id")!;
    linkedin.setMetrics(urn, { IMPRESSION: 1234, REACTION: 7 });
    const analytics = (queryType: string, t = token) =>
      fetch(`${linkedin.url}/rest/memberCreatorPostAnalytics?q=entity&entity=(share:${encodeURIComponent(urn)})&queryType=${queryType}&aggregation=TOTAL`, { headers: rest(t) });
    const impressions = await analytics("IMPRESSION");
    expect(impressions.status).toBe(200);
    expect(await impressions.json()).toMatchObject({ elements: [{ count: 1234, metricType: "IMPRESSION" }], paging: expect.any(Object) });
    expect(await (await analytics("REACTION")).json()).toMatchObject({ elements: [{ count: 7 }] });
    expect((await analytics("IMPRESSION", linkedin.createToken("analyst", ["openid", "w_member_social"]))).status).toBe(403);
    // The URN inside the parentheses must be encoded (Rest.li 2.0).
    const raw = await fetch(`${linkedin.url}/rest/memberCreatorPostAnalytics?q=entity&entity=(share:${urn})&queryType=IMPRESSION&aggregation=TOTAL`, { headers: rest(token) });
    expect(raw.status).toBe(400);

    const byAuthor = (t: string) => fetch(`${linkedin.url}/rest/posts?q=author&author=${encodeURIComponent(authorOf("analyst"))}&count=5`, { headers: rest(t) });
    expect((await byAuthor(token)).status).toBe(403);
    const listed = await byAuthor(linkedin.createToken("analyst", ["w_member_social", "r_member_social"]));
    expect(await listed.json()).toMatchObject({ elements: [{ id: urn, commentary: "Measure me", author: authorOf("analyst") }] });
  });

  it("injects a 429 without rate-limit headers, as LinkedIn documents none", async () => {
    linkedin.inject({ status: 429, match: (req) => req.path === "/rest/posts" });
    const token = linkedin.createToken("throttled");
    const res = await createPost(token, authorOf("throttled"), "Busy day");
    expect(res.status).toBe(429);
    expect([...res.headers.keys()].filter((name) => name.includes("rate"))).toEqual([]);
    expect(await res.json()).toMatchObject({ status: 429, serviceErrorCode: 101 });
    expect((await createPost(token, authorOf("throttled"), "Busy day")).status).toBe(201);
  });
});

// ---------------------------------------------------------------------------------------

describe("fake X", () => {
  const client = { clientId: "x-client", clientSecret: "x-secret" };
  let x: FakeX;
  beforeAll(async () => {
    x = await track(startFakeX({ ...client, autoApprove: true, userLimit: 3 }));
  });

  const tokenRequest = (fields: Record<string, string>, auth = basic(client.clientId, client.clientSecret)) =>
    fetch(`${x.url}/2/oauth2/token`, { method: "POST", headers: { authorization: auth }, body: form(fields) });

  async function authorizeX(scope: string) {
    const { verifier, challenge } = pkce();
    const { code, state } = await authorizeRedirect(
      withQuery(`${x.url}/i/oauth2/authorize`, { response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT, scope, state: "st8", code_challenge: challenge, code_challenge_method: "S256" }),
    );
    expect(state).toBe("st8");
    return { code: code!, verifier };
  }

  const tweet = (token: string, body: unknown) =>
    fetch(`${x.url}/2/tweets`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify(body) });

  it("runs the OAuth 2.0 PKCE round trip and returns the user with public metrics", async () => {
    const { code, verifier } = await authorizeX("tweet.read tweet.write users.read offline.access");
    const res = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: client.clientId });
    expect(res.status).toBe(200);
    const token = (await res.json()) as Record<string, string | number>;
    expect(token).toMatchObject({ token_type: "bearer", expires_in: 7200, scope: "tweet.read tweet.write users.read offline.access", refresh_token: expect.any(String) });

    x.setFollowers("ripple-user", 321);
    const me = await fetch(`${x.url}/2/users/me?user.fields=public_metrics,profile_image_url`, { headers: bearer(String(token.access_token)) });
    expect(await me.json()).toMatchObject({
      data: { id: x.user("ripple-user").id, username: "ripple-user", public_metrics: { followers_count: 321, following_count: 0, tweet_count: 0, listed_count: 0 } },
    });

    // A new access and refresh token; the old refresh token is spent.
    const refresh = () => tokenRequest({ grant_type: "refresh_token", refresh_token: String(token.refresh_token), client_id: client.clientId });
    const refreshed = (await (await refresh()).json()) as Record<string, string>;
    expect(refreshed.access_token).not.toBe(token.access_token);
    expect(refreshed.refresh_token).not.toBe(token.refresh_token);
    expect((await refresh()).status).toBe(400);
  });

  it("verifies PKCE and client authentication, keeps codes single use and gives no refresh token without offline.access", async () => {
    const { code, verifier } = await authorizeX("tweet.read users.read");
    const wrongVerifier = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: pkce().verifier });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toEqual({ error: "invalid_request", error_description: "Value passed for the authorization code was invalid." });
    const noBasic = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier }, "");
    expect(noBasic.status).toBe(401);
    expect(await noBasic.json()).toMatchObject({ error: "unauthorized_client" });

    const ok = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(await ok.json()).not.toHaveProperty("refresh_token");
    expect((await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier })).status).toBe(400);

    const noPkce = await fetch(withQuery(`${x.url}/i/oauth2/authorize`, { response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT, scope: "tweet.read", state: "s" }), { redirect: "manual" });
    expect(noPkce.status).toBe(400);
  });

  it("revokes a token: it then gets a 401 problem", async () => {
    const token = x.createToken("revoker");
    const revoke = await fetch(`${x.url}/2/oauth2/revoke`, { method: "POST", headers: { authorization: basic(client.clientId, client.clientSecret) }, body: form({ token }) });
    expect(await revoke.json()).toEqual({ revoked: true });
    const me = await fetch(`${x.url}/2/users/me`, { headers: bearer(token) });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ title: "Unauthorized", detail: "Unauthorized", type: "about:blank", status: 401 });
    expect(me.headers.get("x-rate-limit-limit")).not.toBeNull();
  });

  it("creates posts with 201, wraps links in t.co, and refuses duplicates, over-length text and missing scopes", async () => {
    const token = x.createToken("poster");
    const res = await tweet(token, { text: "Read this https://example.com/story" });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: string; text: string; edit_history_tweet_ids: string[] } };
    expect(data.id).toMatch(/^\d{18,19}$/);
    expect(data.text).toMatch(/^Read this https:\/\/t\.co\/\w{10}$/);
    expect(data.edit_history_tweet_ids).toEqual([data.id]);

    const duplicate = await tweet(token, { text: "Read this https://example.com/story" });
    expect(duplicate.status).toBe(403);
    expect(await duplicate.json()).toEqual({ detail: "You are not allowed to create a Tweet with duplicate content.", type: "about:blank", title: "Forbidden", status: 403 });

    // 141 CJK characters weigh 282.
    const long = await tweet(token, { text: "字".repeat(141) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ title: "Invalid Request", errors: [{ message: expect.any(String), parameters: expect.any(Object) }] });

    const readOnly = x.createToken("reader", ["tweet.read", "users.read"]);
    expect((await tweet(readOnly, { text: "Hi" })).status).toBe(403);
  });

  it("returns public metrics, non-public ones to the author within 30 days, and inline errors for the rest", async () => {
    const author = x.createToken("metrics");
    const ids: string[] = [];
    for (const text of ["one", "two"]) ids.push(((await (await tweet(author, { text })).json()) as { data: { id: string } }).data.id);
    const [fresh, old] = ids as [string, string];
    x.setMetrics(fresh, { public: { like_count: 9, impression_count: 100 }, nonPublic: { url_link_clicks: 4 } });
    x.setCreatedAt(old, new Date(Date.now() - 31 * 24 * 3600_000));
    x.deleteTweet(old);
    const lookup = (token: string, fields: string) => fetch(`${x.url}/2/tweets?ids=${fresh},${old}&tweet.fields=${fields}`, { headers: bearer(token) });

    const body = (await (await lookup(author, "public_metrics,non_public_metrics")).json()) as { data: unknown[]; errors: unknown[] };
    expect(body.data).toEqual([expect.objectContaining({ id: fresh, public_metrics: expect.objectContaining({ like_count: 9, impression_count: 100 }), non_public_metrics: expect.objectContaining({ url_link_clicks: 4 }) })]);
    expect(body.errors).toEqual([expect.objectContaining({ value: old, title: "Not Found Error", resource_type: "tweet", parameter: "ids", resource_id: old })]);

    const stranger = (await (await lookup(x.createToken("stranger"), "public_metrics,non_public_metrics")).json()) as { data?: unknown; errors: unknown[] };
    expect(stranger.data).toBeUndefined();
    expect(stranger.errors).toContainEqual(expect.objectContaining({ resource_id: fresh, title: "Field Authorization Error" }));
    const publicOnly = (await (await lookup(x.createToken("stranger"), "public_metrics")).json()) as { data: unknown[] };
    expect(publicOnly.data).toHaveLength(1);

    x.setCreatedAt(fresh, new Date(Date.now() - 30 * 24 * 3600_000));
    const aged = (await (await lookup(author, "non_public_metrics")).json()) as { data?: unknown; errors: unknown[] };
    expect(aged.data).toBeUndefined();

    const timeline = await fetch(`${x.url}/2/users/${x.user("metrics").id}/tweets?max_results=5`, { headers: bearer(author) });
    expect(await timeline.json()).toMatchObject({ data: [{ id: fresh, text: "one" }], meta: { result_count: 1, newest_id: fresh, oldest_id: fresh } });
  });

  it("sends x-rate-limit-* on every API response and answers 429 once the user's window is used up", async () => {
    const token = x.createToken("limited");
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await tweet(token, { text: `Post number ${i}` }));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 429]);
    expect(responses.map((r) => r.headers.get("x-rate-limit-remaining"))).toEqual(["2", "1", "0", "0"]);
    const reset = Number(responses[0]!.headers.get("x-rate-limit-reset"));
    expect(reset).toBeGreaterThan(Date.now() / 1000 + 14 * 60);
    expect(responses.every((r) => r.headers.get("x-rate-limit-limit") === "3")).toBe(true);
    expect(await responses[3]!.json()).toEqual({ title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 });
    // Other users and endpoints keep their own windows.
    expect((await tweet(x.createToken("calm"), { text: "Fine" })).status).toBe(201);
    const me = await fetch(`${x.url}/2/users/me`, { headers: bearer(token) });
    expect(me.status).toBe(200);
    expect(me.headers.get("x-rate-limit-limit")).toBe("75");
  });
});

// ---------------------------------------------------------------------------------------

describe("fault injection", () => {
  let x: FakeX;
  beforeAll(async () => {
    x = await track(startFakeX({ clientId: "c", clientSecret: "s" }));
  });

  it("answers 503 twice, then handles the request normally", async () => {
    x.inject({ status: 503, times: 2, match: (req) => req.method === "POST" && req.path === "/2/tweets", headers: { "retry-after": "1" } });
    const token = x.createToken("retrier");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`${x.url}/2/tweets`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify({ text: "Third time lucky" }) });
      statuses.push(res.status);
      if (attempt === 0) {
        expect(res.headers.get("retry-after")).toBe("1");
        expect(res.headers.get("x-rate-limit-limit")).not.toBeNull();
      }
    }
    expect(statuses).toEqual([503, 503, 201]);
    expect(x.tweets).toHaveLength(1);
  });

  it("injects an X 429 with X's body and rate-limit headers", async () => {
    x.inject({ status: 429 });
    const res = await fetch(`${x.url}/2/users/me`, { headers: bearer(x.createToken("someone")) });
    expect(res.status).toBe(429);
    expect(res.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(await res.json()).toMatchObject({ title: "Too Many Requests", status: 429 });
  });

  it("adds latency, globally and per fault", async () => {
    const token = x.createToken("slow");
    x.inject({ latencyMs: 150 });
    let start = performance.now();
    expect((await fetch(`${x.url}/2/users/me`, { headers: bearer(token) })).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);

    x.setLatency(100);
    start = performance.now();
    await fetch(`${x.url}/2/users/me`, { headers: bearer(token) });
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    x.setLatency(0);
  });

  it("hangs so the client times out, then answers the next request", async () => {
    x.inject({ hang: true });
    const token = x.createToken("patient");
    await expect(fetch(`${x.url}/2/users/me`, { headers: bearer(token), signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await fetch(`${x.url}/2/users/me`, { headers: bearer(token) })).status).toBe(200);
  });
});
