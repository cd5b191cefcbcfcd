import { publicRoute } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { checkHealth } from "@/lib/health";
import { redis } from "@/lib/queue";

export const dynamic = "force-dynamic";

/** Postgres, Redis, queue and worker state; 503 when the web cannot serve. */
export const GET = publicRoute(async () => {
  const report = await checkHealth(db(), redis());
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
