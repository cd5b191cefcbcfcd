import { envFor } from "./index";

/** An address on Ripple itself, for mails, redirects and links that leave the browser: APP_URL with the path and query. */
export function appUrl(path: string, query: Record<string, string> = {}): string {
  const url = new URL(path, envFor(["APP_URL"]).APP_URL);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

/** APP_URL without a trailing slash: the server address an API document names. */
export function appBaseUrl(): string {
  return envFor(["APP_URL"]).APP_URL.replace(/\/+$/, "");
}
