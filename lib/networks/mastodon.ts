import { z } from "zod";
import { env } from "@/lib/env";
import { apiUrl, expectBody, networkFetch, normalizeServerUrl, oauthTokenSchema, postMetrics, queryString, searchRecentPosts, textHasLink, tokenSetFrom } from "./http";
import { postAppearances, postedText } from "./appearance";
import { measureText } from "./measure";
import { shareQuery } from "./share-window";
import { NetworkError, type AccountContext, type InstanceLimits, type MetricsResult, type OAuthAdapter, type RegisteredClient, type TokenSet } from "./types";

/**
 * Mastodon, on whichever instance the person uses (networks.md §4). Per-instance app
 * registration, the Idempotency-Key hour and metrics: docs/networks/mastodon.md.
 */

export const MASTODON_SCOPES = ["read:accounts", "write:statuses", "read:statuses"] as const;

const appSchema = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });

const instanceV2Schema = z.object({
  configuration: z
    .object({
      statuses: z
        .object({ max_characters: z.number().int().positive().optional(), characters_reserved_per_url: z.number().int().nonnegative().optional() })
        .optional(),
    })
    .optional(),
});

const instanceV1Schema = z.object({
  max_toot_chars: z.number().int().positive().optional(),
  configuration: instanceV2Schema.shape.configuration,
});

const accountSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  acct: z.string().optional(),
  display_name: z.string().optional(),
  url: z.string().optional(),
  followers_count: z.number().int().nonnegative().optional(),
});

/**
 * The instance's text limit (configuration.statuses.max_characters) and URL length.
 * Instances before Mastodon 4.0 have no /api/v2/instance: /api/v1/instance then. Also
 * tells whether the server is a Mastodon-compatible server at all ("invalid" if not).
 */
export async function fetchInstanceLimits(instanceUrl: string): Promise<InstanceLimits> {
  let response;
  try {
    response = await networkFetch("mastodon", apiUrl(instanceUrl, "/api/v2/instance"));
  } catch (error) {
    if (!(error instanceof NetworkError) || error.status !== 404) throw error;
    response = await networkFetch("mastodon", apiUrl(instanceUrl, "/api/v1/instance"));
    const v1 = expectBody("mastodon", "the instance description", instanceV1Schema, response.body);
    return {
      maxCharacters: v1.configuration?.statuses?.max_characters ?? v1.max_toot_chars ?? null,
      charactersPerUrl: v1.configuration?.statuses?.characters_reserved_per_url ?? null,
    };
  }
  if (!response.body || typeof response.body !== "object") {
    throw new NetworkError("mastodon", "invalid", `mastodon: ${new URL(instanceUrl).host} does not look like a Mastodon server`, { code: "notMastodon" });
  }
  const v2 = expectBody("mastodon", "the instance description", instanceV2Schema, response.body);
  return {
    maxCharacters: v2.configuration?.statuses?.max_characters ?? null,
    charactersPerUrl: v2.configuration?.statuses?.characters_reserved_per_url ?? null,
  };
}

function instanceOf(ctx: { instanceUrl: string | null }): string {
  if (!ctx.instanceUrl) throw new NetworkError("mastodon", "invalid", "mastodon: no instance");
  return ctx.instanceUrl;
}

const statusSchema = z.object({ id: z.string().min(1), url: z.string().nullable().optional() });

const statusListSchema = z.array(
  statusSchema.extend({
    content: z.string().optional(),
    created_at: z.string().optional(),
    reblog: z.unknown().optional(),
  }),
);

const statusCountsSchema = z.object({
  favourites_count: z.number().optional(),
  reblogs_count: z.number().optional(),
  replies_count: z.number().optional(),
  quotes_count: z.number().nullable().optional(),
});

const FIND_PAGE_SIZE = 20;

const contextSchema = z.object({
  descendants: z.array(statusSchema.extend({ content: z.string().optional(), in_reply_to_id: z.string().nullable().optional(), account: z.object({ id: z.string() }).optional() })),
});

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** The account's id on its instance: from the connection when the caller gave it, else verify_credentials. */
async function accountId(ctx: AccountContext, tokens: TokenSet): Promise<string> {
  return ctx.account?.externalId ?? (await mastodon.profile(ctx, tokens)).externalId;
}

export const mastodon: OAuthAdapter = {
  id: "mastodon",
  kind: "oauth",
  // The key is kept an hour from the first request; ten minutes to spare for clocks and queues.
  idempotencyWindowMs: 50 * 60_000,
  scopes: MASTODON_SCOPES,
  pkce: false,
  appearance: postAppearances.mastodon,
  shareWindow: {
    takesText: true,
    asksInstance: true,
    url: ({ text, mastodonInstance }) => `${(mastodonInstance ?? "https://mastodon.social").replace(/\/+$/, "")}/share?${shareQuery({ text })}`,
  },
  // 300 requests per 5 minutes per account, every /api call counted.
  postLimits: { account: { max: 250, windowMs: 5 * 60_000 } },
  clientSource: {
    kind: "perInstance",
    normalizeInstance: (input) => normalizeServerUrl(input, "mastodon"),
    async register(instanceUrl, redirectUri): Promise<RegisteredClient> {
      // The instance description first: it tells a Mastodon server from anything else
      // before we register, and gives the limit the composer counts against.
      const limits = await fetchInstanceLimits(instanceUrl);
      const scopes = MASTODON_SCOPES.join(" ");
      const response = await networkFetch("mastodon", apiUrl(instanceUrl, "/api/v1/apps"), {
        json: { client_name: "Ripple", redirect_uris: redirectUri, scopes, website: env().APP_URL },
      });
      const app = expectBody("mastodon", "the app registration", appSchema, response.body);
      return { clientId: app.client_id, clientSecret: app.client_secret, scopes, limits };
    },
  },

  authorizeUrl(ctx, { state }) {
    const query = queryString({
      response_type: "code",
      client_id: ctx.client.clientId,
      redirect_uri: ctx.client.redirectUri,
      scope: MASTODON_SCOPES.join(" "),
      state,
    });
    return `${apiUrl(instanceOf(ctx), "/oauth/authorize")}?${query}`;
  },

  async exchangeCode(ctx, { code }) {
    const { client } = ctx;
    const response = await networkFetch("mastodon", apiUrl(instanceOf(ctx), "/oauth/token"), {
      form: {
        grant_type: "authorization_code",
        code,
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uri: client.redirectUri,
        scope: MASTODON_SCOPES.join(" "),
      },
    });
    const token = expectBody("mastodon", "the token request", oauthTokenSchema, response.body);
    // Mastodon tokens do not expire (a server that sends expires_in anyway is believed).
    return tokenSetFrom(token, Date.now(), MASTODON_SCOPES);
  },

  async revoke(ctx, tokens) {
    if (!ctx.client) throw new NetworkError("mastodon", "invalid", "mastodon: Ripple's registration on this instance is gone");
    await networkFetch("mastodon", apiUrl(instanceOf(ctx), "/oauth/revoke"), {
      form: { client_id: ctx.client.clientId, client_secret: ctx.client.clientSecret, token: tokens.accessToken },
    });
  },

  async publish(ctx, tokens, post) {
    const response = await networkFetch("mastodon", apiUrl(instanceOf(ctx), "/api/v1/statuses"), {
      bearer: tokens.accessToken,
      // Mastodon keeps the key for an hour and answers a repeat with the first status.
      headers: { "idempotency-key": post.shareId },
      json: { status: postedText(post), visibility: "public", language: post.language },
    });
    const status = expectBody("mastodon", "the new status", statusSchema, response.body);
    return { externalId: status.id, url: status.url ?? null };
  },

  async findPost(ctx, tokens, post) {
    // Without the link in the post there is no unique marker to search for: the
    // Idempotency-Key answers within its hour, after that the outcome is unknown.
    if (post.placement === "first_comment") return "unknown";
    const id = await accountId(ctx, tokens);
    let response;
    try {
      response = await networkFetch(
        "mastodon",
        `${apiUrl(instanceOf(ctx), `/api/v1/accounts/${encodeURIComponent(id)}/statuses`)}?${queryString({ limit: String(FIND_PAGE_SIZE) })}`,
        { bearer: tokens.accessToken },
      );
    } catch (error) {
      // 404: the instance no longer knows the account; 403: the token may not read statuses.
      if (error instanceof NetworkError && (error.status === 404 || error.kind === "forbidden")) return "unknown";
      throw error;
    }
    const statuses = expectBody("mastodon", "the account's statuses", statusListSchema, response.body);
    // The content is HTML: the link is in an href and, split across spans, in the text.
    const link = escapeHtml(post.trackedUrl);
    const found = searchRecentPosts(statuses, {
      complete: statuses.length < FIND_PAGE_SIZE,
      since: post.createdAt,
      listedAt: (status) => (status.created_at ? new Date(status.created_at) : null),
      // A boost's own content is empty; the boosted post is someone else's.
      matches: (status) => !status.reblog && textHasLink(status.content ?? "", link),
    });
    return found === null || found === "unknown" ? found : { externalId: found.id, url: found.url ?? null };
  },

  async comment(ctx, tokens, parent, text, key) {
    const response = await networkFetch("mastodon", apiUrl(instanceOf(ctx), "/api/v1/statuses"), {
      bearer: tokens.accessToken,
      headers: { "idempotency-key": key },
      json: { status: text, visibility: "public", in_reply_to_id: parent.externalId },
    });
    return { externalId: expectBody("mastodon", "the new reply", statusSchema, response.body).id };
  },

  async findComment(ctx, tokens, parent, text) {
    const id = await accountId(ctx, tokens);
    let response;
    try {
      response = await networkFetch("mastodon", apiUrl(instanceOf(ctx), `/api/v1/statuses/${encodeURIComponent(parent.externalId)}/context`), { bearer: tokens.accessToken });
    } catch (error) {
      if (error instanceof NetworkError && (error.status === 404 || error.kind === "forbidden")) return "unknown";
      throw error;
    }
    const context = expectBody("mastodon", "the status's context", contextSchema, response.body);
    const link = escapeHtml(text);
    const found = context.descendants.find((s) => s.in_reply_to_id === parent.externalId && s.account?.id === id && textHasLink(s.content ?? "", link));
    return found ? { externalId: found.id } : null;
  },

  async metrics(ctx, tokens, posts) {
    const result: MetricsResult = new Map();
    for (const { externalId } of posts) {
      let response;
      try {
        response = await networkFetch("mastodon", apiUrl(instanceOf(ctx), `/api/v1/statuses/${encodeURIComponent(externalId)}`), { bearer: tokens.accessToken });
      } catch (error) {
        if (error instanceof NetworkError && (error.status === 404 || error.status === 410)) {
          result.set(externalId, "gone");
          continue;
        }
        throw error;
      }
      const counts = expectBody("mastodon", "the status", statusCountsSchema, response.body);
      result.set(
        externalId,
        postMetrics({ reactions: counts.favourites_count, reposts: counts.reblogs_count, replies: counts.replies_count, quotes: counts.quotes_count }),
      );
    }
    return result;
  },

  measure: (text, options) => measureText("mastodon", text, options),

  async profile(ctx, tokens) {
    const instanceUrl = instanceOf(ctx);
    const response = await networkFetch("mastodon", apiUrl(instanceUrl, "/api/v1/accounts/verify_credentials"), { bearer: tokens.accessToken });
    const account = expectBody("mastodon", "verify_credentials", accountSchema, response.body);
    return {
      externalId: account.id,
      handle: `@${account.username}@${new URL(instanceUrl).host}`,
      displayName: account.display_name || null,
      profileUrl: account.url ?? null,
      followerCount: account.followers_count ?? null,
    };
  },
};
