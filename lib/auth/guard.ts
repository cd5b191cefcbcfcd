import { headers } from "next/headers";
import { forbidden, redirect, unstable_rethrow } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { db, type Database } from "@/lib/db";
import { appBaseUrl } from "@/lib/env/app-url";
import { DomainError, isUnstorableText } from "@/lib/errors";
import { log } from "@/lib/log";
import { trustedScope, type OrgId, type Scope } from "@/lib/tenant";
import { consume, consumeForClient, peekForClient, rateLimitHeaders, type LimitState } from "@/lib/limits";
import { requestClientIp } from "@/lib/net/client-ip";
import { checkApiToken, tokenProblemTypes, type TokenRefusal } from "./api-tokens";
import { auth } from "./config";
import { returnPath } from "./return-to";
import { satisfies, type Role, type RoleRequirement } from "./roles";
import { problem } from "@/lib/problem";
import { ScimError, scimErrorResponse, verifyScimToken } from "@/lib/scim";

/**
 * The only ways app/ reaches tenant data: requireMember (pages), action() (server actions),
 * route() (route handlers). Each demands a role requirement ("any-member" must be written)
 * and builds the Scope every lib query needs from a verified session or API token.
 */

export type AuthContext = {
  userId: string;
  orgId: OrgId;
  orgName: string;
  roles: Role[];
  scope: Scope;
  db: Database;
  /** A bearer-token call's RateLimit header fields, sent with its answer. */
  rateLimit?: Record<string, string>;
};

/** The Auth.js session, read once per request. */
export const getSession = cache(async () => auth());

const sessionContext = cache(async (): Promise<AuthContext | null> => {
  const session = await getSession();
  if (!session?.userId || !session.orgId) return null;
  return {
    userId: session.userId,
    orgId: session.orgId as OrgId,
    orgName: session.orgName ?? "",
    roles: session.roles,
    scope: trustedScope(session.orgId, { kind: "user", userId: session.userId }),
    db: db(),
  };
});

/** The path the proxy saw, to come back to after signing in. */
async function currentPath(): Promise<string> {
  return returnPath((await headers()).get("x-ripple-path"));
}

/**
 * For pages and layouts: the signed-in member holding one of the roles. Not signed in →
 * the sign-in page (and back afterwards); signed in without the role → the 403 page.
 */
export async function requireMember(requirement: RoleRequirement): Promise<AuthContext> {
  const ctx = await sessionContext();
  if (!ctx) {
    const session = await getSession();
    if (session?.userId) redirect("/signin/error?error=NoMembership");
    redirect(`/signin?callbackUrl=${encodeURIComponent(await currentPath())}`);
  }
  if (!satisfies(ctx.roles, requirement)) forbidden();
  return ctx;
}

/** For pages open to visitors too (sign-in): the member if there is one. */
export async function optionalMember(): Promise<AuthContext | null> {
  return sessionContext();
}

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

/** Form fields to an object; names ending in [] collect every value into an array. */
export function formDataToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((v): v is string => typeof v === "string");
    if (key.endsWith("[]")) out[key.slice(0, -2)] = values;
    else out[key] = values[0];
  }
  return out;
}

function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Wraps a server action: checks the session and role, parses the input with zod and
 * maps failures to a result the form can show. Call it directly with an object, or
 * hand it to useActionState / <form action> (it then reads the FormData).
 */
export function action<S extends z.ZodType, T>(
  options: { roles: RoleRequirement; input: S },
  handler: (input: z.infer<S>, ctx: AuthContext) => Promise<T>,
) {
  return async (first: z.input<S> | FormData | ActionResult<T> | null, formData?: FormData): Promise<ActionResult<T>> => {
    try {
      const ctx = await sessionContext();
      if (!ctx) return { ok: false, error: "unauthenticated" };
      if (!satisfies(ctx.roles, options.roles)) {
        log.warn({ userId: ctx.userId, orgId: ctx.orgId, required: options.roles }, "server action refused: role");
        return { ok: false, error: "forbidden" };
      }
      const raw = formData ?? first;
      const parsed = options.input.safeParse(raw instanceof FormData ? formDataToObject(raw) : raw);
      if (!parsed.success) return { ok: false, error: "invalidInput", fieldErrors: fieldErrors(parsed.error) };
      return { ok: true, data: await handler(parsed.data, ctx) };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof DomainError) return { ok: false, error: error.code, fieldErrors: error.fieldErrors };
      if (error instanceof z.ZodError) return { ok: false, error: "invalidInput", fieldErrors: fieldErrors(error) };
      if (isUnstorableText(error)) return { ok: false, error: "invalidInput" };
      log.error({ err: error }, "server action failed");
      return { ok: false, error: "unexpected" };
    }
  };
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

type RouteOptions<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  roles: RoleRequirement;
  /** session: browser cookies; token: Authorization: Bearer (API v1); either: both accepted. */
  auth: "session" | "token" | "either";
  /**
   * "redirect": a signed-out browser asking for a page (GET, Accept: text/html) is sent
   * to sign in and back, as requireMember does, for route handlers that serve a whole
   * page (the queue dashboard). Every other request still gets the 401 problem.
   */
  onUnauthenticated?: "problem" | "redirect";
  params?: P;
  query?: Q;
  body?: B;
};

type RouteInput<P, Q, B> = { request: Request; ctx: AuthContext; params: P; query: Q; body: B };

type TokenOutcome = AuthContext | null | { refused: TokenRefusal } | { limited: Response };

async function tokenContext(request: Request, instance: string): Promise<TokenOutcome> {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const client = requestClientIp(request.headers);
  const blocked = await tokenAttemptsSpent(client, instance);
  if (blocked) return { limited: blocked };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const checked = match ? await checkApiToken(db(), match[1]!) : ({ ok: false, reason: "unknown" } as const);
  if (!checked.ok) {
    await consumeForClient("failedTokenPerClient", client);
    return { refused: checked.reason };
  }
  const identity = checked.identity;
  const budget = await consume("apiCallsPerToken", identity.tokenId);
  if (!budget.allowed) return { limited: tooManyRequests(instance, "This API token has used its budget of calls for now.", budget, rateLimitHeaders("apiCallsPerToken", budget)) };
  return {
    rateLimit: rateLimitHeaders("apiCallsPerToken", budget),
    userId: identity.userId,
    orgId: identity.orgId as OrgId,
    orgName: "",
    roles: identity.roles,
    scope: trustedScope(identity.orgId, { kind: "user", userId: identity.userId }),
    db: db(),
  };
}

/** 429 with Retry-After (seconds) and, where there is one, the budget's RateLimit fields. */
function tooManyRequests(instance: string, detail: string, limit: LimitState, headers: Record<string, string> = {}): Response {
  return problem(429, "Too Many Requests", detail, instance, { "Retry-After": String(limit.resetS), ...headers });
}

/** A 429 when this client has sent too many refused tokens lately; null while it may try. */
async function tokenAttemptsSpent(client: string, instance: string): Promise<Response | null> {
  const attempts = await peekForClient("failedTokenPerClient", client);
  return attempts.allowed ? null : tooManyRequests(instance, "Too many refused tokens from this address: try again later.", attempts);
}

/** The answer with extra header fields (a copy when its headers are immutable). */
function withHeaders(response: Response, headers: Record<string, string> | undefined): Response {
  if (!headers) return response;
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}

const tokenRefusalDetail: Record<TokenRefusal, string> = {
  unknown: "The bearer token is not valid.",
  expired: "Token expired: this API token is past its expiry date. Create a new one.",
  revoked: "Token revoked: this API token was revoked and no longer works. Create a new one.",
};

function tokenRefused(reason: TokenRefusal, instance: string): Response {
  const description = reason === "unknown" ? "" : `, error_description="token ${reason}"`;
  return problem(401, "Unauthorized", tokenRefusalDetail[reason], instance, { "WWW-Authenticate": `Bearer error="invalid_token"${description}` }, { type: tokenProblemTypes[reason] });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The request came from a page of ours: its Origin is APP_URL's, or, from a browser that sent
 * none, Sec-Fetch-Site says same-origin. Next checks server actions itself; this is for
 * route handlers a session cookie authenticates (the media upload, the queue dashboard).
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin) return origin === new URL(appBaseUrl()).origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/** 400 for text PostgreSQL cannot store (NUL, invalid UTF-8): the backstop behind the web server's own check. */
function unstorableText(instance: string): Response {
  return problem(400, "Bad Request", "The request contains text that cannot be stored (a NUL or invalid UTF-8).", instance);
}

function wantsPage(request: Request): boolean {
  return request.method === "GET" && (request.headers.get("accept") ?? "").includes("text/html");
}

/** To sign in and back to this URL; a session without a membership to the error page, as requireMember. */
async function signInRedirect(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const session = await getSession();
  const location = session?.userId ? "/signin/error?error=NoMembership" : `/signin?callbackUrl=${encodeURIComponent(returnPath(url.pathname + url.search))}`;
  return new Response(null, { status: 307, headers: { location, "cache-control": "no-store" } });
}

/**
 * Wraps a route handler: authenticates (session or bearer token), checks the role,
 * validates params, query and JSON body with zod, and answers every failure as RFC 9457
 * problem+json. A handler returning a plain value is sent as JSON.
 */
export function route<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(options: RouteOptions<P, Q, B>, handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Response | unknown>) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const instance = new URL(request.url).pathname;
    try {
      let ctx: AuthContext | null = null;
      if (options.auth !== "session") {
        const fromToken = await tokenContext(request, instance);
        if (fromToken && "limited" in fromToken) return fromToken.limited;
        if (fromToken && "refused" in fromToken) return tokenRefused(fromToken.refused, instance);
        ctx = fromToken;
      }
      if (!ctx && options.auth !== "token") {
        ctx = await sessionContext();
        // A browser's cookie goes along with any site's request: a write must come from our pages.
        if (ctx && !SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
          log.warn({ userId: ctx.userId, path: instance, origin: request.headers.get("origin") }, "route refused: cross-origin write with a session cookie");
          return problem(403, "Forbidden", "Cross-origin request refused: a write with a session cookie must come from Ripple's own pages (Origin must be APP_URL's).", instance);
        }
      }
      if (!ctx && options.onUnauthenticated === "redirect" && wantsPage(request)) return await signInRedirect(request);
      if (!ctx) return problem(401, "Unauthorized", "Sign in or send an API token.", instance, options.auth === "session" ? {} : { "WWW-Authenticate": "Bearer" });
      if (!satisfies(ctx.roles, options.roles)) return problem(403, "Forbidden", "Your role does not allow this.", instance);

      const params = (options.params ?? z.unknown()).safeParse(await context.params);
      if (!params.success) return problem(404, "Not Found", "No such resource.", instance);
      const query = (options.query ?? z.unknown()).safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!query.success) return problem(400, "Bad Request", "The query is invalid.", instance, {}, { errors: fieldErrors(query.error) });
      let body: unknown = undefined;
      if (options.body) {
        let json: unknown;
        try {
          json = await request.json();
        } catch {
          return problem(400, "Bad Request", "The body must be JSON.", instance);
        }
        const parsed = options.body.safeParse(json);
        if (!parsed.success) return problem(422, "Unprocessable Content", "The body is invalid.", instance, {}, { errors: fieldErrors(parsed.error) });
        body = parsed.data;
      }
      const result = await handler({ request, ctx, params: params.data, query: query.data, body } as RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>);
      return withHeaders(result instanceof Response ? result : Response.json(result), ctx.rateLimit);
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof DomainError) {
        return problem(error.status, error.code, error.message, instance, {}, error.fieldErrors ? { errors: error.fieldErrors } : {});
      }
      if (isUnstorableText(error)) return unstorableText(instance);
      log.error({ err: error, path: instance }, "route failed");
      return problem(500, "Internal Server Error", "Something went wrong on our side.", instance);
    }
  };
}

/** A route that needs no sign-in (health, redirects). Named so that it is a visible choice. */
export function publicRoute(handler: (request: Request, context: RouteContext) => Promise<Response>) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    try {
      return await handler(request, context);
    } catch (error) {
      unstable_rethrow(error);
      if (isUnstorableText(error)) return unstorableText(new URL(request.url).pathname);
      log.error({ err: error }, "public route failed");
      return problem(500, "Internal Server Error", "Something went wrong on our side.", new URL(request.url).pathname);
    }
  };
}

/**
 * A server action open to visitors (signing in). Named so that skipping the member
 * check is a visible choice; the input is still parsed with zod.
 */
export function publicAction<S extends z.ZodType, T>(options: { input: S }, handler: (input: z.infer<S>) => Promise<T>) {
  return async (first: z.input<S> | FormData | ActionResult<T> | null, formData?: FormData): Promise<ActionResult<T>> => {
    try {
      const raw = formData ?? first;
      const parsed = options.input.safeParse(raw instanceof FormData ? formDataToObject(raw) : raw);
      if (!parsed.success) return { ok: false, error: "invalidInput", fieldErrors: fieldErrors(parsed.error) };
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof DomainError) return { ok: false, error: error.code, fieldErrors: error.fieldErrors };
      if (isUnstorableText(error)) return { ok: false, error: "invalidInput" };
      log.error({ err: error }, "public server action failed");
      return { ok: false, error: "unexpected" };
    }
  };
}

type ScimInput<P, Q, B> = { request: Request; scope: Scope; db: Database; params: P; query: Q; body: B; baseUrl: string };

/** The address a directory reaches SCIM at, under APP_URL. */
export function scimBaseUrl(): string {
  return `${appBaseUrl()}/scim/v2`;
}

/**
 * Wraps a SCIM 2.0 route handler (/scim/v2/*): the organisation's SCIM bearer token decides
 * the organisation (the actor is "directory"), params, query and body are parsed with zod,
 * and every failure is a SCIM error (RFC 7644 §3.12) in application/scim+json.
 */
export function scimRoute<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(options: { params?: P; query?: Q; body?: B }, handler: (input: ScimInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Response>) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const unauthorized = (detail: string) => scimErrorResponse(new ScimError(401, detail), { "WWW-Authenticate": 'Bearer realm="scim"' });
    try {
      const client = requestClientIp(request.headers);
      const attempts = await peekForClient("failedTokenPerClient", client);
      if (!attempts.allowed) return scimErrorResponse(new ScimError(429, "Too many refused tokens from this address: try again later."), { "Retry-After": String(attempts.resetS) });
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
      if (!match) return unauthorized("Send the organisation's SCIM token as Authorization: Bearer <token>.");
      const identity = await verifyScimToken(db(), match[1]!);
      if (!identity) {
        await consumeForClient("failedTokenPerClient", client);
        return unauthorized("The SCIM token is invalid or revoked.");
      }
      const scope = trustedScope(identity.orgId, { kind: "directory" });

      const params = (options.params ?? z.unknown()).safeParse(await context.params);
      if (!params.success) return scimErrorResponse(new ScimError(404, "No such resource."));
      const query = (options.query ?? z.unknown()).safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!query.success) return scimErrorResponse(new ScimError(400, "The query is invalid.", "invalidValue"));
      let body: unknown = undefined;
      if (options.body) {
        let json: unknown;
        try {
          json = await request.json();
        } catch {
          return scimErrorResponse(new ScimError(400, "The body must be JSON.", "invalidSyntax"));
        }
        const parsed = options.body.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return scimErrorResponse(new ScimError(400, `The body is invalid: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "unknown"}`, "invalidSyntax"));
        }
        body = parsed.data;
      }
      return await handler({ request, scope, db: db(), params: params.data, query: query.data, body, baseUrl: scimBaseUrl() } as ScimInput<z.infer<P>, z.infer<Q>, z.infer<B>>);
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof ScimError) return scimErrorResponse(error);
      if (error instanceof DomainError) {
        // lib/members' rules (the last admin, an unknown team) keep their words.
        const status = error.status === 404 ? 404 : error.status === 409 ? 409 : 400;
        const detail = error.code === "lastAdmin" ? "Refused: this would remove or deactivate the organisation's last active admin." : error.message;
        return scimErrorResponse(new ScimError(status, detail, status === 400 ? "invalidValue" : error.code === "alreadyMember" ? "uniqueness" : undefined));
      }
      if (isUnstorableText(error)) return scimErrorResponse(new ScimError(400, "The request contains text that cannot be stored (a NUL or invalid UTF-8).", "invalidValue"));
      log.error({ err: error, path: new URL(request.url).pathname }, "scim route failed");
      return scimErrorResponse(new ScimError(500, "Something went wrong on our side."));
    }
  };
}
