/**
 * The request header the web server (the process that owns the socket) stamps with the
 * client's address, as clientIp() decides it; a client's own copy is removed first. Route
 * handlers, server actions and Auth.js read the address from it and from nothing else.
 */
export const CLIENT_IP_HEADER = "x-ripple-client-ip";

/** The client's address as the web server stamped it; "unknown" when no server did (tests calling a handler directly). */
export function requestClientIp(headers: Pick<Headers, "get">): string {
  return headers.get(CLIENT_IP_HEADER) || "unknown";
}
