import { DelayedError, UnrecoverableError, Worker, type Job, type WorkerOptions } from "bullmq";
import type { z } from "zod";
import { PermanentFailure, RetryLater } from "@/lib/errors";
import { log } from "@/lib/log";
import { boundedErrorLog, bullPrefix, jobSchemas, type QueueName, type RedisClient } from "@/lib/queue";

export type Processor<T = unknown> = (data: T, job: Job) => Promise<unknown>;
export type Processors<Q extends QueueName> = { [N in keyof (typeof jobSchemas)[Q]]: Processor<z.infer<(typeof jobSchemas)[Q][N] & z.ZodType>> };

export type QueueConfig = Pick<WorkerOptions, "concurrency" | "lockDuration" | "stalledInterval" | "maxStalledCount" | "limiter"> & {
  removeOnComplete?: { age: number; count: number };
  removeOnFail?: { age: number; count: number };
};

/**
 * Parses each payload with its zod schema and dispatches by job name. Errors map here for
 * every queue: RetryLater waits without spending an attempt; PermanentFailure, a bad payload
 * or an unknown name fail at once; anything else takes the job's retries and backoff.
 */
export function startWorker<Q extends QueueName>(queue: Q, processors: Processors<Q>, connection: RedisClient, config: QueueConfig = {}): Worker {
  const schemas = jobSchemas[queue] as Record<string, z.ZodType>;
  const handlers = processors as Record<string, Processor>;
  const worker = new Worker(
    queue,
    async (job, token) => {
      const schema = schemas[job.name];
      const handler = handlers[job.name];
      if (!schema || !handler) throw new UnrecoverableError(`Unknown job "${job.name}" on queue "${queue}"`);
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Malformed payload for ${queue}/${job.name}: ${parsed.error.message}`);
      try {
        return await handler(parsed.data, job);
      } catch (error) {
        if (error instanceof RetryLater && token) {
          await job.moveToDelayed(Date.now() + error.delayMs, token);
          throw new DelayedError();
        }
        if (error instanceof PermanentFailure) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection,
      prefix: bullPrefix(queue),
      concurrency: config.concurrency ?? 1,
      lockDuration: config.lockDuration ?? 30_000,
      stalledInterval: config.stalledInterval ?? 30_000,
      maxStalledCount: config.maxStalledCount ?? 1,
      limiter: config.limiter,
      removeOnComplete: config.removeOnComplete ?? { age: 24 * 3600, count: 1000 },
      removeOnFail: config.removeOnFail ?? { age: 14 * 24 * 3600, count: 10_000 },
      autorun: true,
    },
  );
  worker.on("failed", (job, error) => {
    log.warn({ queue, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, "job failed");
  });
  // Bounded: while Redis fails over, BullMQ reports every failed command.
  worker.on("error", boundedErrorLog("worker error", { queue }));
  return worker;
}
