import { lookup } from "node:dns/promises";
import net from "node:net";
import { envFor } from "@/lib/env";
import { blockedAddressKind, type UnsafeFetchReason } from "./safe-fetch";

const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * Whether a link someone hands us may be taken on before anything is fetched: http(s) only,
 * no credentials, no host inside a private network (the same rules and test exceptions as
 * safeFetch, which checks again when the page is fetched). A name that does not resolve
 * passes: the fetch decides then. Returns the refusal's reason, or null.
 */
export async function linkRefusal(value: string): Promise<UnsafeFetchReason | null> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "invalidUrl";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "unsupportedScheme";
  if (url.username || url.password) return "credentialsInUrl";
  const { ALLOW_PRIVATE_FETCH, FETCH_ALLOW_HOSTS } = envFor(["ALLOW_PRIVATE_FETCH", "FETCH_ALLOW_HOSTS"]);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (ALLOW_PRIVATE_FETCH || FETCH_ALLOW_HOSTS.includes(`${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`)) return null;
  if (net.isIP(host)) return blockedAddressKind(host) ? "privateAddress" : null;
  if (host === "localhost" || host.endsWith(".localhost")) return "privateAddress";
  const answers = await Promise.race([
    lookup(host, { all: true }).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref()),
  ]);
  return answers.some((a) => blockedAddressKind(a.address)) ? "privateAddress" : null;
}
