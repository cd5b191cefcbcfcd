import { headers } from "next/headers";
import { DomainError } from "@/lib/errors";
import { requestClientIp } from "@/lib/net/client-ip";
import { consume, consumeForClient, limitKey, peek, peekForClient, type LimitState } from "./index";

/**
 * The sign-in limits (lib/limits budgets), the same for every address whether it belongs to a
 * member or not: checking or spending one never looks a person up, so neither the answer nor
 * its timing tells whether an address is known.
 */

/** The client address of the request being served (the web server stamps it). */
export async function currentClient(): Promise<string> {
  return requestClientIp(await headers());
}

function spent(...states: LimitState[]): LimitState | null {
  return states.find((s) => !s.allowed) ?? null;
}

/** Whether a sign-in mail may be asked for now: the address's and this client's budgets, not spent. */
export async function signInMailSpent(email: string, client: string): Promise<LimitState | null> {
  return spent(await peekForClient("signInMailPerClient", client), await peek("signInMailPerAddress", limitKey("email", email.toLowerCase())));
}

/** Spends one sign-in mail from both budgets; false when either was already spent (send nothing). */
export async function takeSignInMail(email: string, client: string): Promise<boolean> {
  const [perClient, perAddress] = await Promise.all([
    consumeForClient("signInMailPerClient", client),
    consume("signInMailPerAddress", limitKey("email", email.toLowerCase())),
  ]);
  return perClient.allowed && perAddress.allowed;
}

/** This client's failed sign-ins (demo, invitation links) have spent their budget. */
export async function signInAttemptsSpent(client: string): Promise<LimitState | null> {
  return spent(await peekForClient("failedSignInPerClient", client));
}

export async function signInFailed(client: string): Promise<void> {
  await consumeForClient("failedSignInPerClient", client);
}

/** For server actions: a 429 the form shows in the reader's language, or nothing. */
export function tooMany(code: "tooManySignInMails" | "tooManySignInAttempts", state: LimitState | null): void {
  if (state) throw new DomainError(429, code, `Too many attempts: try again in ${Math.ceil(state.resetS / 60)} minutes`);
}
