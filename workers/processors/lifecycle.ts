import type { RedisClient } from "@/lib/queue";
import { checkConnections, refreshExpiringTokens } from "@/lib/connections";
import { db, withReportsRead } from "@/lib/db";
import { log } from "@/lib/log";
import { runMaintenance } from "@/lib/maintenance";
import { beat } from "@/lib/queue/heartbeat";
import { remakeReport, remakeStoredReports } from "@/lib/reports";
import { reconcileShares } from "@/lib/shares/reconcile";
import { runDueLifecycle } from "@/lib/stories";
import type { Processors } from "../runtime";

export function lifecycleProcessors(redis: RedisClient): Processors<"lifecycle"> {
  return {
    heartbeat: async () => {
      await beat(redis);
    },
    maintenance: async () => {
      const result = await runMaintenance(db());
      log.info(result, "maintenance done");
      return result;
    },
    "story.publish": async ({ storyId }) => runDueLifecycle(db(), { storyId }),
    "story.expire": async ({ storyId }) => runDueLifecycle(db(), { storyId }),
    "stories.sweep": async () => {
      const result = await runDueLifecycle(db());
      if (result.published || result.archived) log.info(result, "stories published or archived by the sweep");
      return result;
    },
    "connections.check": async () => checkConnections(db()),
    "shares.reconcile": async () => {
      const result = await reconcileShares(db());
      if (result.requeued || result.recovered) log.info(result, "the reconciler queued shares Redis had lost");
      return result;
    },
    "connections.refresh": async () => refreshExpiringTokens(db()),
    "reports.remake": async () => {
      const result = await remakeStoredReports(db(), (key) => withReportsRead((source) => remakeReport(db(), key, source)));
      if (result.failed) log.warn(result, "stored reports that could not be made again were dropped");
      return result;
    },
  };
}
