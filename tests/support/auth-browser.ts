import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";

/**
 * A browser's side of Auth.js, for integration tests: a cookie jar that talks to the real
 * /api/auth handlers (CSRF token, credentials sign-in, session reads and updates, sign-out).
 * `copy()` is another device holding the same cookies.
 */
export class AuthBrowser {
  readonly origin = "http://localhost:3999";
  private jar = new Map<string, string>();

  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  sessionCookie(): string | undefined {
    return this.jar.get("authjs.session-token");
  }

  copy(): AuthBrowser {
    const other = new AuthBrowser();
    other.jar = new Map(this.jar);
    return other;
  }

  /** A request from this browser (its cookies, and an Origin like a form post). */
  request(path: string, init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): NextRequest {
    const headers = new Headers({ cookie: this.cookieHeader(), origin: this.origin, ...init.headers });
    let body: string | undefined;
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    return new NextRequest(new URL(path, this.origin), { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  }

  /** Sends a request to the Auth.js handlers and keeps the cookies it sets or clears. */
  async auth(path: string, init: Parameters<AuthBrowser["request"]>[1] = {}): Promise<Response> {
    const request = this.request(path, init);
    const response = await (request.method === "GET" ? handlers.GET(request) : handlers.POST(request));
    this.keep(response);
    return response;
  }

  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const cleared = value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]!) <= Date.now()));
      if (cleared) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async csrfToken(): Promise<string> {
    const response = await this.auth("/api/auth/csrf");
    return ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  /** The password-less demo sign-in, as the sign-in page's button posts it. */
  async signInWithDemo(email: string, callbackUrl = "/"): Promise<Response> {
    const csrfToken = await this.csrfToken();
    return this.auth("/api/auth/callback/demo", { form: { email, csrfToken, callbackUrl } });
  }

  /** The session as the app reads it on each request (null when there is none). */
  async session(): Promise<{ userId: string; orgId: string | null; roles: string[]; organizations: Array<{ id: string; name: string }> } | null> {
    const response = await this.auth("/api/auth/session");
    return (await response.json()) as never;
  }

  /** Asks Auth.js to switch the session's organisation (what unstable_update sends). */
  async updateSession(data: Record<string, unknown>): Promise<Response> {
    const csrfToken = await this.csrfToken();
    return this.auth("/api/auth/session", { json: { csrfToken, data } });
  }

  async signOut(): Promise<Response> {
    const csrfToken = await this.csrfToken();
    return this.auth("/api/auth/signout", { form: { csrfToken, callbackUrl: "/signin" } });
  }
}
