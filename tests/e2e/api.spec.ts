import { expect, test, type APIResponse } from "@playwright/test";
import { createApiToken, personas } from "./support";

/**
 * The REST API as a script sees it: bearer tokens made with the CLI, RFC 9457
 * problem+json for every refusal, and the health endpoint.
 */

/** One token per persona and worker process (the CLI takes a few seconds). */
const tokens = new Map<string, Promise<string>>();
function tokenFor(email: string): Promise<string> {
  if (!tokens.has(email)) tokens.set(email, createApiToken(email, `e2e api ${process.pid}`));
  return tokens.get(email)!;
}

async function expectProblem(response: APIResponse, status: number, title: string) {
  expect(response.status()).toBe(status);
  expect(response.headers()["content-type"]).toBe("application/problem+json");
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: "about:blank", title, status });
  expect(typeof body.detail).toBe("string");
  return body;
}

test("GET /api/v1/me without credentials is 401 problem+json with a Bearer challenge", async ({ request }) => {
  const response = await request.get("/api/v1/me");
  const body = await expectProblem(response, 401, "Unauthorized");
  expect(body.instance).toBe("/api/v1/me");
  expect(response.headers()["www-authenticate"]).toBe("Bearer");
});

test("GET /api/v1/me with a malformed or unknown token is 401 problem+json", async ({ request }) => {
  for (const authorization of [
    "Bearer not-a-token",
    `Bearer rpl_${"A".repeat(40)}`,
    "Basic bWV0dGU6c2VjcmV0",
    "Bearer",
  ]) {
    const response = await request.get("/api/v1/me", { headers: { authorization } });
    await expectProblem(response, 401, "Unauthorized");
    expect(response.headers()["www-authenticate"], authorization).toMatch(/^Bearer/);
  }
});

test("GET /api/v1/me with the admin's token names the admin, the organisation and the roles", async ({ request }) => {
  const token = await tokenFor(personas.admin.email);
  expect(token).toMatch(/^rpl_[0-9A-Za-z]{40}$/);
  const response = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^application\/json/);
  expect(await response.json()).toMatchObject({
    user: { email: personas.admin.email, name: personas.admin.name },
    organization: { slug: "nordlys", name: "Nordlys Energi A/S" },
    roles: ["admin"],
  });
  // The scheme name is case-insensitive.
  const lower = await request.get("/api/v1/me", { headers: { authorization: `bearer ${token}` } });
  expect(lower.status()).toBe(200);
});

test("GET /api/v1/members is for admins: 403 for an employee's token, the list for the admin's", async ({ request }) => {
  const employee = await tokenFor(personas.employee.email);
  const forbidden = await request.get("/api/v1/members", { headers: { authorization: `Bearer ${employee}` } });
  await expectProblem(forbidden, 403, "Forbidden");

  const admin = await tokenFor(personas.admin.email);
  const response = await request.get("/api/v1/members", { headers: { authorization: `Bearer ${admin}` } });
  expect(response.status()).toBe(200);
  const { data } = (await response.json()) as { data: Array<{ email: string; name: string; roles: string[]; status: string; team: { name: string } | null }> };
  for (const [role, persona] of Object.entries(personas)) {
    expect(data, persona.email).toContainEqual(expect.objectContaining({ email: persona.email, name: persona.name, roles: [role], status: "active" }));
  }
  expect(data.find((m) => m.email === personas.employee.email)?.team?.name).toBe("Salg Øst");

  const active = await request.get("/api/v1/members?status=active&q=jonas", { headers: { authorization: `Bearer ${admin}` } });
  expect(active.status()).toBe(200);
  expect(((await active.json()) as { data: Array<{ email: string }> }).data.map((m) => m.email)).toEqual([personas.employee.email]);

  const bogus = await request.get("/api/v1/members?status=bogus", { headers: { authorization: `Bearer ${admin}` } });
  const problem = await expectProblem(bogus, 400, "Bad Request");
  expect(problem.errors).toHaveProperty("status");
  const unknownParameter = await request.get("/api/v1/members?colour=blue", { headers: { authorization: `Bearer ${admin}` } });
  await expectProblem(unknownParameter, 400, "Bad Request");
});

test("GET /api/v1/members without credentials is 401 problem+json", async ({ request }) => {
  const response = await request.get("/api/v1/members");
  await expectProblem(response, 401, "Unauthorized");
  expect(response.headers()["www-authenticate"]).toBe("Bearer");
});

test("GET /api/health reports Postgres, Redis, the queues and the workers as up", async ({ request }) => {
  type Health = { status: string; postgres: { ok: boolean }; redis: { ok: boolean }; queues: { ok: boolean; counts: Record<string, unknown> }; workers: { ok: boolean; lastHeartbeatAt: string | null } };
  let health: Health | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get("/api/health");
        expect(response.status()).toBe(200);
        expect(response.headers()["content-type"]).toMatch(/^application\/json/);
        expect(response.headers()["cache-control"]).toBe("no-store");
        health = (await response.json()) as Health;
        return health.workers.ok;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  expect(health).toMatchObject({ status: "ok", postgres: { ok: true }, redis: { ok: true }, queues: { ok: true }, workers: { ok: true } });
  expect(Object.keys(health!.queues.counts).sort()).toEqual(
    ["import", "lifecycle", "notify", "publish-bluesky", "publish-linkedin", "publish-mastodon", "publish-threads", "publish-x", "reach"],
  );
  expect(Date.parse(health!.workers.lastHeartbeatAt!)).not.toBeNaN();
});
