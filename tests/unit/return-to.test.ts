import { describe, expect, it } from "vitest";
import { START_PAGE, safeReturnTo } from "@/lib/auth/return-to";

/** Every return address goes through safeReturnTo: only a path on APP_URL's origin survives. */

const APP = "https://ripple.example.com";

describe("safeReturnTo", () => {
  it.each([
    ["/feed", "/feed"],
    ["/compose?story=3f1c&variant=b", "/compose?story=3f1c&variant=b"],
    ["/library#drafts", "/library#drafts"],
    ["/reports?from=2026-01-01&team=a%2Fb", "/reports?from=2026-01-01&team=a%2Fb"],
    ["https://ripple.example.com/settings", "/settings"],
    ["https://ripple.example.com:443/settings?x=1", "/settings?x=1"],
    ["/", "/"],
    ["/søg?q=grøn", "/s%C3%B8g?q=gr%C3%B8n"],
  ])("keeps the same-site address %j", (raw, expected) => {
    expect(safeReturnTo(raw, APP)).toBe(expected);
  });

  it.each([
    // Other hosts and schemes.
    "https://evil.example/feed",
    "http://ripple.example.com/feed", // another scheme is another origin
    "https://ripple.example.com.evil.example/",
    "https://ripple.example.com:8443/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:a@evil.example",
    // Protocol-relative and backslashes (browsers read \ as /).
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:\\\\evil.example",
    "https:evil.example",
    "/.//evil.example",
    "/./..//evil.example",
    "https://ripple.example.com//evil.example",
    // Control characters: tabs, newlines, NUL, DEL, C1.
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/feed\r\nSet-Cookie: x=1",
    "/feed\u0000",
    "/feed\u007f",
    "/feed\u0085",
    // Encoded variants.
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    "%252F%252Fevil.example",
    "/%E0%A4%A", // a malformed escape
    "/%",
    // User info tricks.
    "https://ripple.example.com@evil.example/",
    "https://ripple.example.com:443@evil.example",
    "https://user:pass@ripple.example.com/feed",
    "https://evil.example#@ripple.example.com",
    "https://evil.example?@ripple.example.com",
    // Not a string, empty, or absurdly long.
    "",
    `/${"a".repeat(2048)}`,
  ])("sends %j to the start page", (raw) => {
    expect(safeReturnTo(raw, APP)).toBe(START_PAGE);
  });

  it.each([undefined, null, 42, ["/feed"], { href: "/feed" }])("sends the non-string %j to the start page", (raw) => {
    expect(safeReturnTo(raw, APP)).toBe(START_PAGE);
  });

  it("compares with the APP_URL it is given (a local deployment)", () => {
    expect(safeReturnTo("http://localhost:3104/feed", "http://localhost:3104")).toBe("/feed");
    expect(safeReturnTo("http://127.0.0.1:3104/feed", "http://localhost:3104")).toBe(START_PAGE);
  });
});
