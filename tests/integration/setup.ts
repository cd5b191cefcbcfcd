import { afterAll, inject } from "vitest";

// Every test file sees the run's database and queue prefix before importing lib/.
Object.assign(process.env, inject("testEnv"));

afterAll(async () => {
  const [{ closeDb }, { closeQueues }] = await Promise.all([import("@/lib/db"), import("@/lib/queue")]);
  await closeQueues();
  await closeDb();
});
