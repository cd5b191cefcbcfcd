import type { Server } from "node:http";

/**
 * A real, certified OpenID provider (the npm package oidc-provider) for sign-in tests.
 * Its built-in development login accepts any login name; that name is the subject, and
 * the email claim is the name itself when it looks like an address.
 */
export type OidcProviderHandle = { issuer: string; clientId: string; clientSecret: string; close: () => Promise<void> };

export async function startOidcProvider(options: { port: number; redirectUris: string[] }): Promise<OidcProviderHandle> {
  const { default: Provider } = await import("oidc-provider");
  const issuer = `http://localhost:${options.port}`;
  const clientId = "ripple-e2e";
  const clientSecret = "ripple-e2e-secret-0123456789";
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: options.redirectUris, grant_types: ["authorization_code"], response_types: ["code"] }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: sub.includes("@") ? sub.toLowerCase() : `${sub}@sso.example.test`,
        email_verified: true,
        name: sub.split("@")[0],
      }),
    }),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = provider.listen(options.port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
