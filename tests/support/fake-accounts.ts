import { randomUUID } from "node:crypto";
import type { SocialConnection } from "@/db/schema";
import { encryptTokens } from "@/lib/connections/secrets";
import type { FakeLinkedIn } from "../fakes/linkedin";
import type { FakeMastodon } from "../fakes/mastodon";
import type { FakeThreads } from "../fakes/threads";
import type { FakeX } from "../fakes/x";
import type { Scope } from "@/lib/tenant";
import { makeConnection } from "./factories";

export type FakeNetworks = { x: FakeX; mastodon: FakeMastodon; linkedin: FakeLinkedIn; threads?: FakeThreads };
export type FakeNetwork = "x" | "mastodon" | "linkedin" | "threads";

/**
 * An account called `name` at a fake network and the employee's connection row to it,
 * its token stored encrypted as connecting does. `scopes` limits what the token may do.
 */
export async function connectFakeAccount(
  fakes: FakeNetworks,
  cli: Scope,
  userId: string,
  network: FakeNetwork,
  name: string,
  options: { scopes?: string[]; displayName?: string } = {},
): Promise<{ connection: SocialConnection; accessToken: string; externalId: string }> {
  const id = randomUUID();
  let accessToken: string;
  let externalId: string;
  let handle: string;
  let instanceUrl: string | null = null;
  if (network === "x") {
    accessToken = fakes.x.createToken(name, options.scopes);
    externalId = fakes.x.user(name).id;
    handle = `@${name}`;
  } else if (network === "mastodon") {
    accessToken = fakes.mastodon.createToken(name, options.scopes);
    externalId = fakes.mastodon.account(name).id;
    instanceUrl = fakes.mastodon.url;
    handle = `@${name}@${new URL(fakes.mastodon.url).host}`;
  } else if (network === "threads") {
    if (!fakes.threads) throw new Error("no fake Threads in this test");
    accessToken = fakes.threads.createToken(name);
    externalId = fakes.threads.userIdOf(name);
    handle = `@${name}`;
  } else {
    accessToken = fakes.linkedin.createToken(name, options.scopes);
    externalId = fakes.linkedin.member(name).sub;
    handle = options.displayName ?? name;
  }
  const tokens = { accessToken, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: options.scopes ?? [] };
  const connection = await makeConnection(cli, userId, { id, network, externalId, handle, instanceUrl, ...encryptTokens(id, tokens) });
  return { connection, accessToken, externalId };
}
