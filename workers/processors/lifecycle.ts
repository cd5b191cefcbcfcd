import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { beat, runMaintenance } from "@/lib/maintenance";
import type { Processors } from "../runtime";

export function lifecycleProcessors(redis: Redis): Processors<"lifecycle"> {
  return {
    heartbeat: async () => {
      await beat(redis);
    },
    maintenance: async () => {
      const result = await runMaintenance(db());
      log.info(result, "maintenance done");
      return result;
    },
  };
}
