import type { Worker } from "bullmq";
import { closeDb, db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { encryptPlainWebhookUrls } from "@/lib/webhooks/secrets";
import { beat } from "@/lib/queue/heartbeat";
import { closeQueues, createRedis, getQueue, publishQueues, moveOldLayoutQueues, redisMistake, schedules } from "@/lib/queue";
import { startClickConsumer } from "./processors/clicks";
import { lifecycleProcessors } from "./processors/lifecycle";
import { importProcessors } from "./processors/import";
import { notifyProcessors } from "./processors/notify";
import { publishProcessors, publishWorkerConfig } from "./processors/publish";
import { reachProcessors, reachWorkerConfig } from "./processors/reach";
import { startWorker } from "./runtime";
import { startWatchdog, supervisedWorker } from "./watchdog";
import { exitOnConfigError, exitOnMistake } from "./startup";

/** Starts every BullMQ worker and the schedulers; SIGTERM or SIGINT closes them within 30 s. */
const SHUTDOWN_DEADLINE_MS = 30_000;
const SCHEDULE_REFRESH_MS = 60_000;

async function main() {
  const config = exitOnConfigError(() => env());
  await exitOnMistake(() => redisMistake());
  // Webhook URLs a migration left in plain text (it has no key); once, before any is sent.
  const encrypted = await encryptPlainWebhookUrls(db());
  if (encrypted > 0) log.info({ webhooks: encrypted }, "webhook URLs stored in plain text encrypted");
  const connection = createRedis("worker");
  const supervised = [
    supervisedWorker(getQueue("lifecycle"), () => startWorker("lifecycle", lifecycleProcessors(connection), connection, { concurrency: 2 })),
    supervisedWorker(getQueue("notify"), () => startWorker("notify", notifyProcessors(), connection, { concurrency: 4 })),
    supervisedWorker(getQueue("import"), () => startWorker("import", importProcessors(), connection, { concurrency: 2 })),
    supervisedWorker(getQueue("reach"), () => startWorker("reach", reachProcessors(), connection, reachWorkerConfig(config.REACH_CONCURRENCY))),
    ...publishQueues.map((queue) =>
      supervisedWorker(getQueue(queue), () => startWorker(queue, publishProcessors(connection), connection, publishWorkerConfig(queue, { concurrency: config.PUBLISH_CONCURRENCY, ratePerS: config.PUBLISH_RATE_PER_S }))),
    ),
  ];
  const workers = (): Worker[] => supervised.map((s) => s.worker());

  // Redirect clicks: a Redis stream consumer of its own (a blocking connection), not a BullMQ queue.
  let clickConsumer = startClickConsumer({ db: db() });
  const watchdog = startWatchdog([
    ...supervised.map((s) => s.target),
    {
      name: "clicks",
      progressAt: () => clickConsumer.progressAt,
      finishedAt: () => clickConsumer.progressAt,
      // A round ends within blockMs whether clicks came or not: a consumer that stopped ending rounds is stuck.
      hasWork: async () => true,
      async restart() {
        const old = clickConsumer;
        clickConsumer = startClickConsumer({ db: db() });
        await Promise.race([old.stop(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      },
    },
  ]);

  // Before anything can beat (the first heartbeat job runs once the schedules are in): whoever
  // sees it may stop us at once (a test, an orchestrator), and a signal that came before the
  // handlers would kill the process mid-start.
  const timers: { reregister?: NodeJS.Timeout } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "workers stopping");
    clearInterval(timers.reregister);
    watchdog.stop();
    const deadline = setTimeout(() => {
      log.error("workers did not stop within 30 s; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Let active jobs finish (their locks would otherwise expire and the jobs stall), but
    // not beyond the deadline: a forced close leaves the job to be picked up again.
    const graceful = Promise.all(workers().map((w) => w.close()));
    const force = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS - 5_000).unref());
    await Promise.race([graceful, force.then(() => Promise.all(workers().map((w) => w.close(true))))]);
    await clickConsumer.stop();
    await closeQueues();
    connection.disconnect();
    await closeDb();
    log.info("workers stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  // The schedules live in Redis, which may be lost (a flush, a failover without
  // persistence): register them again every minute, so the reconciler itself comes back.
  const registerSchedules = () =>
    Promise.all(schedules.map((s) => getQueue(s.queue).upsertJobScheduler(s.id, { every: s.every }, { name: s.name, data: {} })));
  await registerSchedules();
  // Queues of earlier versions: their jobs move to the queues' own slots, the retired ones go.
  try {
    const tidied = await moveOldLayoutQueues(connection);
    if (tidied.removed.length > 0) log.info(tidied, "queues of the one-slot layout moved");
  } catch (error) {
    log.warn({ err: error }, "queues of the one-slot layout not moved");
  }
  timers.reregister = setInterval(() => void registerSchedules().catch((error) => log.warn({ err: error }, "schedules not registered")), SCHEDULE_REFRESH_MS);
  timers.reregister.unref();
  await beat(connection);
  log.info({ queues: workers().map((w) => w.name), schedules: schedules.map((s) => s.id) }, "workers started");
}

main().catch((error) => {
  log.fatal({ err: error }, "workers failed to start");
  process.exit(1);
});
