import { isIPv4, isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * One spelling per address, so a visitor is one visitor: ::ffff:192.0.2.1 is 192.0.2.1,
 * IPv6 in its canonical form. null for anything that is not an address. (node:net's
 * checks first: this runs on every click and ipaddr.js alone costs ~15 µs.)
 */
function normaliseIp(value: string): string | null {
  const trimmed = value.trim();
  if (isIPv4(trimmed)) return trimmed;
  if (trimmed.startsWith("::ffff:") && isIPv4(trimmed.slice(7))) return trimmed.slice(7);
  if (!isIPv6(trimmed)) return null;
  return ipaddr.process(trimmed).toString();
}

/**
 * The client's address: the socket's, or, when the installation says a proxy of its own
 * sets X-Forwarded-For (TRUST_PROXY), that header's last entry, the one the proxy appended
 * (entries before it are the client's to invent). Without TRUST_PROXY the header is ignored.
 */
export function clientIp(input: { socketAddress: string | null | undefined; forwardedFor: string | null | undefined; trustProxy: boolean }): string {
  if (input.trustProxy && input.forwardedFor) {
    const last = normaliseIp(input.forwardedFor.split(",").at(-1) ?? "");
    if (last) return last;
  }
  return (input.socketAddress && normaliseIp(input.socketAddress)) || "unknown";
}

export { CLIENT_IP_HEADER, requestClientIp } from "@/lib/net/client-ip";

/** The referrer's host (lower case), never its path or query: that is all a report needs. */
export function referrerHost(referer: string | null | undefined): string | null {
  if (!referer) return null;
  try {
    const host = new URL(referer).hostname.toLowerCase();
    return host && host.length <= 253 && !/\s/.test(host) ? host : null;
  } catch {
    return null;
  }
}
