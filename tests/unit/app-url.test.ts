import { afterEach, describe, expect, it } from "vitest";
import { appBaseUrl, appUrl } from "@/lib/env/app-url";

/** Every address of Ripple's own pages in mails, redirects and the API document comes from these two. */

const saved = process.env.APP_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.APP_URL;
  else process.env.APP_URL = saved;
});

describe("Ripple's own addresses", () => {
  it("puts the path on APP_URL whether or not it ends in a slash", () => {
    for (const base of ["https://ripple.example", "https://ripple.example/"]) {
      process.env.APP_URL = base;
      expect(appUrl("/signin")).toBe("https://ripple.example/signin");
      expect(appUrl("/r/Ab3dE5gH9k")).toBe("https://ripple.example/r/Ab3dE5gH9k");
      expect(appUrl("/demo-network#42")).toBe("https://ripple.example/demo-network#42");
      expect(appBaseUrl()).toBe("https://ripple.example");
    }
  });

  it("encodes query values, so an error code cannot add a parameter", () => {
    process.env.APP_URL = "http://localhost:3000";
    expect(appUrl("/compose", { story: "0b6f1c3e-9a4d-4c1e-8f7a-2d5e6b7c8d9e" })).toBe("http://localhost:3000/compose?story=0b6f1c3e-9a4d-4c1e-8f7a-2d5e6b7c8d9e");
    expect(appUrl("/connections", { error: "denied&connected=x" })).toBe("http://localhost:3000/connections?error=denied%26connected%3Dx");
  });
});
