import { createHash, timingSafeEqual } from "node:crypto";
import { publicRoute } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { envFor } from "@/lib/env";
import { processMetrics } from "@/lib/metrics";
import { problem } from "@/lib/problem";
import { redis } from "@/lib/queue";

export const dynamic = "force-dynamic";

function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Without METRICS_TOKEN the endpoint is public on purpose: installation-wide counts only, never
 * ids, names or texts. Set the token, or keep /api/metrics off the public internet, if even the
 * counts are not for everyone to see (docs/design-notes.md, "Metrics").
 */
export const GET = publicRoute(async (request) => {
  const { METRICS_TOKEN } = envFor(["METRICS_TOKEN"]);
  if (METRICS_TOKEN) {
    const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!given || !sameToken(given, METRICS_TOKEN)) {
      return problem(401, "Unauthorized", "Send the metrics token as a bearer token.", new URL(request.url).pathname, { "WWW-Authenticate": 'Bearer realm="metrics"' });
    }
  }
  const { contentType, body } = await processMetrics(() => ({ db: db(), redis: redis() })).render();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
