import type { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import { unreachableRedis } from "../support/unreachable-redis";

/**
 * GET /api/health as a load balancer sees it: 200 while the web can serve, 503 when Redis
 * cannot be reached (checkHealth's own cases are in health.test.ts). The route's Redis client
 * is the real one, or one for a port nobody listens on.
 */

const target = vi.hoisted(() => ({ deadRedis: false }));
let dead: Redis | undefined;

vi.mock("@/lib/queue", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/queue")>();
  return {
    ...actual,
    redis: () => {
      if (!target.deadRedis) return actual.redis();
      dead ??= unreachableRedis();
      return dead;
    },
  };
});

afterAll(() => {
  dead?.disconnect();
});

async function health() {
  const { GET } = await import("@/app/api/health/route");
  const response = await GET(new Request("http://localhost/api/health"), { params: Promise.resolve({}) });
  return { status: response.status, cache: response.headers.get("cache-control"), body: (await response.json()) as { status: string; redis: { ok: boolean } } };
}

describe("GET /api/health", () => {
  it("answers 200 while PostgreSQL and Redis answer, and 503 when Redis cannot be reached, never cached", async () => {
    const up = await health();
    expect(up).toMatchObject({ status: 200, cache: "no-store", body: { status: "ok", redis: { ok: true } } });
    target.deadRedis = true;
    try {
      const down = await health();
      expect(down).toMatchObject({ status: 503, cache: "no-store", body: { status: "down", redis: { ok: false } } });
    } finally {
      target.deadRedis = false;
    }
  });
});
