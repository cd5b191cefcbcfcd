import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeClick, encodeClick, type StreamClick } from "@/lib/links/click-stream";
import { checkClickBatch } from "@/lib/links/ingest";
import { clientIp, referrerHost } from "@/lib/links/client-address";
import { isBotRequest } from "@/lib/links/detect-bot";
import { clickDay, visitorHash } from "@/lib/links/visitor-hash";
import { dailyHorizon } from "@/lib/reach/retention";
import { monthsBefore } from "@/lib/time";

/** Who a click is, without keeping who they are: bots, addresses, referrers, hashes. */

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";

describe("bots", () => {
  it("lets real browsers through", () => {
    for (const ua of [CHROME, SAFARI_IOS, FIREFOX]) expect(isBotRequest("GET", ua), ua).toBe(false);
  });

  it.each([
    ["Facebook", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"],
    ["LinkedIn", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"],
    ["X", "Twitterbot/1.0"],
    ["Slack", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"],
    ["Discord", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"],
    ["Telegram", "TelegramBot (like TwitterBot)"],
    ["WhatsApp", "WhatsApp/2.23.20.0 A"],
    ["Mastodon", "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/)"],
    ["Bluesky", "Mozilla/5.0 (compatible; Bskybot/1.0; +https://bsky.app)"],
    ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"],
    ["curl", "curl/8.5.0"],
  ])("counts the %s fetcher as a bot", (_name, ua) => {
    expect(isBotRequest("GET", ua)).toBe(true);
  });

  it("counts a HEAD request and a request without a user agent as bots", () => {
    expect(isBotRequest("HEAD", CHROME)).toBe(true);
    expect(isBotRequest("GET", "")).toBe(true);
    expect(isBotRequest("GET", undefined)).toBe(true);
  });
});

describe("the visitor's address", () => {
  it("is the socket's, and X-Forwarded-For is ignored unless the installation trusts its proxy", () => {
    expect(clientIp({ socketAddress: "203.0.113.9", forwardedFor: "198.51.100.1", trustProxy: false })).toBe("203.0.113.9");
    // The proxy appends the address it saw; what came before is the client's to invent.
    expect(clientIp({ socketAddress: "10.0.0.2", forwardedFor: "198.51.100.1, 203.0.113.50", trustProxy: true })).toBe("203.0.113.50");
    expect(clientIp({ socketAddress: "10.0.0.2", forwardedFor: "203.0.113.50", trustProxy: true })).toBe("203.0.113.50");
  });

  it("falls back to the socket when the trusted header is garbage, and spells one address one way", () => {
    expect(clientIp({ socketAddress: "10.0.0.2", forwardedFor: "198.51.100.1, unknown", trustProxy: true })).toBe("10.0.0.2");
    expect(clientIp({ socketAddress: "::ffff:192.0.2.44", forwardedFor: undefined, trustProxy: false })).toBe("192.0.2.44");
    expect(clientIp({ socketAddress: "2001:DB8:0:0:0:0:0:1", forwardedFor: undefined, trustProxy: false })).toBe(clientIp({ socketAddress: "2001:db8::1", forwardedFor: undefined, trustProxy: false }));
    expect(clientIp({ socketAddress: undefined, forwardedFor: undefined, trustProxy: false })).toBe("unknown");
  });
});

describe("the referrer", () => {
  it("keeps the host only: no path, query or credentials", () => {
    expect(referrerHost("https://user:pw@www.LinkedIn.com/feed/update/urn:li:activity:1?trk=x#y")).toBe("www.linkedin.com");
    expect(referrerHost("android-app://com.linkedin.android/")).toBe("com.linkedin.android");
    expect(referrerHost("not a url")).toBeNull();
    expect(referrerHost("")).toBeNull();
    expect(referrerHost(undefined)).toBeNull();
  });
});

describe("the visitor hash", () => {
  const salt = randomBytes(32);

  it("is the same for the same visitor, link and day, and carries no trace of the address", () => {
    const a = visitorHash(salt, "203.0.113.9", CHROME, "AbCdEf1234");
    expect(visitorHash(salt, "203.0.113.9", CHROME, "AbCdEf1234")).toBe(a);
    // base64url has no "." or ":": no address can be spelled in it.
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("differs with the address, the browser, the link and the day's salt", () => {
    const a = visitorHash(salt, "203.0.113.9", CHROME, "AbCdEf1234");
    const others = [
      visitorHash(salt, "203.0.113.10", CHROME, "AbCdEf1234"),
      visitorHash(salt, "203.0.113.9", FIREFOX, "AbCdEf1234"),
      visitorHash(salt, "203.0.113.9", CHROME, "AbCdEf1235"),
      visitorHash(randomBytes(32), "203.0.113.9", CHROME, "AbCdEf1234"),
    ];
    expect(new Set([a, ...others]).size).toBe(5);
  });
});

describe("stream entries", () => {
  const click: StreamClick = {
    linkId: "2f0b7d3c-4a1e-4c55-9a51-1d3f6f0f8a11",
    orgId: "9e6530a2-7bc5-4e49-b787-9b0b336f9e06",
    shareId: null,
    at: 1_780_000_000_123,
    visitorHash: "N3u_7GC7Xio9uYhoX5_Mq76XACT4P8JgsLFSVvEdlo",
    clientHash: "q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1",
    isBot: true,
    referrerHost: "t.co",
  };

  it("come back as the click that went in", () => {
    expect(decodeClick(encodeClick(click))).toEqual(click);
    expect(decodeClick(encodeClick({ ...click, shareId: "7ca0d1d8-1849-4149-a8f2-2ba3687cf502", isBot: false, referrerHost: null }))).toEqual({ ...click, shareId: "7ca0d1d8-1849-4149-a8f2-2ba3687cf502", isBot: false, referrerHost: null });
  });

  it("are one value, the click's fields tab-separated", () => {
    const fields = encodeClick(click);
    expect(fields).toHaveLength(2);
    expect(fields[1]!.split("\t")).toEqual([click.linkId, click.orgId, "", String(click.at), click.visitorHash, "1", "t.co", click.clientHash]);
  });

  it("of the older form, eight named fields, still come back (entries written before an upgrade)", () => {
    const older = ["l", click.linkId, "o", click.orgId, "s", "", "t", String(click.at), "v", click.visitorHash, "b", "1", "r", "t.co", "c", click.clientHash];
    expect(decodeClick(older)).toEqual(click);
  });

  it("that are malformed are refused", () => {
    const changed = (from: string, to: string) => encodeClick(click).map((v) => v.replace(from, to));
    expect(decodeClick(["l", "x"])).toBeNull();
    expect(decodeClick(changed(String(click.at), "yesterday"))).toBeNull();
    expect(decodeClick(changed(click.linkId, "../../etc"))).toBeNull();
    // The batch writer joins hashes into its arrays unquoted: only base64url passes.
    expect(decodeClick(changed(click.visitorHash, `${click.visitorHash}","x`))).toBeNull();
    expect(decodeClick(changed(click.clientHash, `${click.clientHash}}`))).toBeNull();
    expect(decodeClick(changed("\tt.co\t", "\tt.co\t\t"))).toBeNull();
  });

  it("under an id that is not a stream id are refused by the batch writer (the id is its event key)", async () => {
    const batch = await checkClickBatch([
      ["1780000000123-0", encodeClick(click)],
      ['1780000000123-1"}', encodeClick(click)],
    ]);
    expect(batch).toMatchObject({ read: 2, malformed: 1, rows: [{ eventKey: "1780000000123-0" }] });
  });
});

describe("the day of a click", () => {
  it("is the UTC calendar day, forwards and back across midnight", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(clickDay(at("2026-06-01T23:59:59.999Z"))).toBe("2026-06-01");
    expect(clickDay(at("2026-06-02T00:00:00.000Z"))).toBe("2026-06-02");
    expect(clickDay(at("2026-06-01T12:00:00.000Z"))).toBe("2026-06-01");
    expect(clickDay(at("2026-06-02T21:30:00.000+02:00"))).toBe("2026-06-02");
    expect(clickDay(at("2026-06-02T23:30:00.000-02:00"))).toBe("2026-06-03");
  });
});

describe("retention months", () => {
  it("counts whole months back in UTC, clamping to the shorter month's end", () => {
    expect(monthsBefore(new Date("2026-03-31T10:00:00Z"), 1).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(monthsBefore(new Date("2026-01-15T00:00:00Z"), 13).toISOString()).toBe("2024-12-15T00:00:00.000Z");
  });

  it("keeps rollup days from the first of the month the click retention ends in", () => {
    expect(dailyHorizon(13, new Date("2026-12-06T03:00:00Z"))).toBe("2025-11-01");
    expect(dailyHorizon(1, new Date("2026-03-31T10:00:00Z"))).toBe("2026-02-01");
    expect(dailyHorizon(13, new Date("2026-01-01T00:00:00Z"))).toBe("2024-12-01");
  });
});
