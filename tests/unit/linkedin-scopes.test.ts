import { afterEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { linkedin } from "@/lib/networks/linkedin";

const client = { clientId: "ripple", clientSecret: "secret", redirectUri: "https://ripple.example/connections/callback/linkedin" };
const base = { DATABASE_URL: "postgres://x@127.0.0.1/x", REDIS_URL: "redis://127.0.0.1:6379", APP_URL: "https://ripple.example", AUTH_SECRET: "s".repeat(40), TOKEN_ENCRYPTION_KEY: "a".repeat(64), DEMO_MODE: "true" };

function scopesAsked(extra: Record<string, string>): string[] {
  const saved = { ...process.env };
  Object.assign(process.env, base, extra);
  resetEnvForTests();
  try {
    const url = new URL(linkedin.authorizeUrl({ instanceUrl: null, client }, { state: "s", codeChallenge: null }));
    expect(linkedin.scopes).toEqual(url.searchParams.get("scope")!.split(" "));
    return [...linkedin.scopes];
  } finally {
    process.env = saved;
    resetEnvForTests();
  }
}

describe("LinkedIn consent", () => {
  afterEach(() => resetEnvForTests());

  it("asks for post analytics only when the app has that product (LINKEDIN_POST_ANALYTICS)", () => {
    expect(scopesAsked({})).not.toContain("r_member_postAnalytics");
    expect(scopesAsked({})).toContain("w_member_social");
    expect(scopesAsked({ LINKEDIN_POST_ANALYTICS: "true" })).toEqual(expect.arrayContaining(["w_member_social", "r_member_postAnalytics"]));
  });
});
