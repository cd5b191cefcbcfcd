import { Redis } from "ioredis";

/** A Redis client for a port nobody listens on, with the options of the web's own client (lib/queue createRedis("client")). */
export function unreachableRedis(): Redis {
  const client = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  client.on("error", () => undefined);
  return client;
}
