import type { Worker } from "bullmq";
import { closeDb, db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { encryptPlainWebhookUrls } from "@/lib/webhooks/secrets";
import { beat } from "@/lib/queue/heartbeat";
import { closeQueues, createRedis, getQueue, publishQueues, removeRetiredQueues, schedules } from "@/lib/queue";
import { startClickConsumer } from "./processors/clicks";
import { lifecycleProcessors } from "./processors/lifecycle";
import { importProcessors } from "./processors/import";
import { notifyProcessors } from "./processors/notify";
import { networkLimiter, publishProcessors } from "./processors/publish";
import { reachProcessors, reachWorkerConfig } from "./processors/reach";
import { startWorker } from "./runtime";
import { exitOnConfigError } from "./startup";

/** Starts every BullMQ worker and the schedulers; SIGTERM or SIGINT closes them within 30 s. */
const SHUTDOWN_DEADLINE_MS = 30_000;
const SCHEDULE_REFRESH_MS = 60_000;

async function main() {
  const config = exitOnConfigError(() => env());
  // Webhook URLs a migration left in plain text (it has no key); once, before any is sent.
  const encrypted = await encryptPlainWebhookUrls(db());
  if (encrypted > 0) log.info({ webhooks: encrypted }, "webhook URLs stored in plain text encrypted");
  const connection = createRedis("worker");
  const workers: Worker[] = [
    startWorker("lifecycle", lifecycleProcessors(connection), connection, { concurrency: 2 }),
    startWorker("notify", notifyProcessors(), connection, { concurrency: 4 }),
    startWorker("import", importProcessors(), connection, { concurrency: 2 }),
    startWorker("reach", reachProcessors(), connection, reachWorkerConfig(config.REACH_CONCURRENCY)),
    ...publishQueues.map((queue) => startWorker(queue, publishProcessors(connection), connection, { concurrency: config.PUBLISH_CONCURRENCY, lockDuration: 30_000, limiter: networkLimiter[queue] })),
  ];

  // Redirect clicks: a Redis stream consumer of its own (a blocking connection), not a BullMQ queue.
  const clickConsumer = startClickConsumer({ db: db() });

  // The schedules live in Redis, which may be lost (a flush, a failover without
  // persistence): register them again every minute, so the reconciler itself comes back.
  const registerSchedules = () =>
    Promise.all(schedules.map((s) => getQueue(s.queue).upsertJobScheduler(s.id, { every: s.every }, { name: s.name, data: {} })));
  await registerSchedules();
  // Queues of earlier versions would otherwise go on being reported with their stale jobs.
  try {
    const removed = await removeRetiredQueues(connection);
    if (removed.length > 0) log.info({ queues: removed }, "retired queues removed");
  } catch (error) {
    log.warn({ err: error }, "retired queues not removed");
  }
  const reregister = setInterval(() => void registerSchedules().catch((error) => log.warn({ err: error }, "schedules not registered")), SCHEDULE_REFRESH_MS);
  reregister.unref();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "workers stopping");
    clearInterval(reregister);
    const deadline = setTimeout(() => {
      log.error("workers did not stop within 30 s; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Let active jobs finish (their locks would otherwise expire and the jobs stall), but
    // not beyond the deadline: a forced close leaves the job to be picked up again.
    const graceful = Promise.all(workers.map((w) => w.close()));
    const force = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS - 5_000).unref());
    await Promise.race([graceful, force.then(() => Promise.all(workers.map((w) => w.close(true))))]);
    await clickConsumer.stop();
    await closeQueues();
    connection.disconnect();
    await closeDb();
    log.info("workers stopped");
    process.exit(0);
  };
  // Before the first heartbeat: whoever sees it may stop us at once (a test, an orchestrator),
  // and a signal that came before the handlers would kill the process mid-start.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  await beat(connection);
  log.info({ queues: workers.map((w) => w.name), schedules: schedules.map((s) => s.id) }, "workers started");
}

main().catch((error) => {
  log.fatal({ err: error }, "workers failed to start");
  process.exit(1);
});
