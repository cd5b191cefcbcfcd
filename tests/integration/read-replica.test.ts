import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/db/migrate";
import { closeDb, db, replicaFallbacks, reportsRead, withReportsRead } from "@/lib/db";
import { checkHealth } from "@/lib/health";
import { createMetrics } from "@/lib/metrics";
import { teamReport } from "@/lib/reports";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { envOverride } from "../support/env-override";
import { projectRoot } from "../support/processes";
import { baseTestEnv } from "../support/test-env";
import { makeMember, makeOrganization } from "../support/factories";
import { startReplicatedPostgres, type ReplicatedPostgres } from "../support/replica";

/**
 * Reports on a read replica (issue 17, item 5), against a real streaming standby made with
 * pg_basebackup: authorisation reads the primary, so a manager removed from a team is refused
 * at once however far the replica is behind; figures come from the replica only while its
 * lag is under DATABASE_REPLICA_MAX_LAG_S, and say how current they are; a replica that is
 * down or hangs sends reports to the primary, counted, never a 500 or a long wait.
 */

let cluster: ReplicatedPostgres;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  cluster = await startReplicatedPostgres();
  await migrateDatabase(cluster.primaryUrl);
  await cluster.caughtUp();
  setEnv({ DATABASE_URL: cluster.primaryUrl, DATABASE_REPLICA_URL: cluster.standbyUrl, DATABASE_REPLICA_MAX_LAG_S: "60", DATABASE_REPLICA_TIMEOUT_MS: "1000" });
}, 120_000);

afterAll(async () => {
  await closeDb();
  await cluster?.stop();
  restoreEnv();
});

/** A team of five with its manager, on the primary, replicated. */
async function scene() {
  const { cli } = await makeOrganization("Nordlys Energi");
  const admin = await makeMember(cli, ["admin"]);
  const team = await createTeam(db(), admin.scope, { name: "Salg" });
  const manager = await makeMember(cli, ["manager"], { teamId: team.id });
  for (let i = 0; i < 5; i++) await makeMember(cli, ["employee"], { teamId: team.id });
  await setTeamManagers(db(), admin.scope, team.id, [manager.user.id]);
  await cluster.caughtUp();
  return { cli, admin, team, manager };
}

const query = { from: "2026-11-01", to: "2026-11-30", period: "week" } as const;

describe("reports on a read replica", () => {
  it("read their figures from a replica that is current, saying as of when", async () => {
    await closeDb();
    const { team, manager } = await scene();
    const source = await reportsRead();
    expect(source).toMatchObject({ from: "replica", fallback: null });
    const report = await withReportsRead((s) => teamReport(db(), manager.scope, { userId: manager.user.id, roles: ["manager"] }, { ...query, teamId: team.id }, s));
    expect(report.team.name).toBe("Salg");
    expect(Math.abs(Date.parse(report.asOf!) - Date.now())).toBeLessThan(10_000);
  });

  it("refuses a manager removed from the team at once, though the replica still lists them", async () => {
    await closeDb();
    const { admin, team, manager } = await scene();
    await cluster.pauseReplay();
    try {
      await setTeamManagers(db(), admin.scope, team.id, []);
      const replica = postgres(cluster.standbyUrl, { max: 1, onnotice: () => undefined });
      try {
        // The replica has not seen the change: had authorisation read it, the report would show.
        expect(await replica`select 1 from team_managers where team_id = ${team.id} and user_id = ${manager.user.id}`).toHaveLength(1);
      } finally {
        await replica.end();
      }
      await expect(
        withReportsRead((s) => teamReport(db(), manager.scope, { userId: manager.user.id, roles: ["manager"] }, { ...query, teamId: team.id }, s)),
      ).rejects.toMatchObject({ status: 403 });
    } finally {
      await cluster.resumeReplay();
    }
  });

  it("sends reports to the primary while the replica is further behind than the bound, counted", async () => {
    await closeDb();
    const { admin, team, manager } = await scene();
    setEnv({ DATABASE_REPLICA_MAX_LAG_S: "1" });
    await cluster.pauseReplay();
    try {
      // Written on the primary, not replayed; the replica's last replay is now over a second old.
      await createTeam(db(), admin.scope, { name: "Efter pausen" });
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect(await reportsRead()).toMatchObject({ from: "primary", fallback: "lag", asOf: null });
      const before = replicaFallbacks.lag;
      const report = await withReportsRead((s) => teamReport(db(), manager.scope, { userId: manager.user.id, roles: ["manager"] }, { ...query, teamId: team.id }, s));
      expect(report.asOf).toBeNull();
      expect(replicaFallbacks.lag).toBe(before + 1);
      // As /api/metrics serves it.
      const metrics = createMetrics({ db: db(), redis: { get: async () => null } as never, queue: () => ({ getJobCounts: async () => ({}) }), defaultMetrics: false });
      expect((await metrics.render()).body).toMatch(new RegExp(`^ripple_replica_fallbacks\\{reason="lag"\\} ${before + 1}$`, "m"));
    } finally {
      setEnv({ DATABASE_REPLICA_MAX_LAG_S: "60" });
      await cluster.resumeReplay();
      await cluster.caughtUp();
    }
  });

  it("reads from the primary, and /api/health says why, when the replica hangs or is down", async () => {
    // A server that accepts connections and never answers: a replica that hangs.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await closeDb();
      const { team, manager } = await scene();
      setEnv({ DATABASE_REPLICA_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });
      const started = Date.now();
      const report = await withReportsRead((s) => teamReport(db(), manager.scope, { userId: manager.user.id, roles: ["manager"] }, { ...query, teamId: team.id }, s));
      expect(report.team.name).toBe("Salg");
      expect(report.asOf).toBeNull();
      expect(Date.now() - started).toBeLessThan(5_000);

      await closeDb();
      setEnv({ DATABASE_REPLICA_URL: cluster.standbyUrl });
      await cluster.stopStandby();
      const down = await withReportsRead((s) => teamReport(db(), manager.scope, { userId: manager.user.id, roles: ["manager"] }, { ...query, teamId: team.id }, s));
      expect(down.asOf).toBeNull();
      const health = await checkHealth(db(), { ping: async () => "PONG", get: async () => null } as never);
      expect(health.replica).toMatchObject({ from: "primary", fallback: "down" });
      expect(health.replica!.fallbacks.down).toBeGreaterThanOrEqual(1);
    } finally {
      silent.close();
    }
  });

  it("stops the web at start-up, naming the variable, when the replica URL is the primary", async () => {
    const started = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--import", "tsx", "workers/web.ts"],
        {
          cwd: projectRoot,
          env: { ...process.env, ...baseTestEnv(), NODE_ENV: "test" as const, APP_URL: "http://localhost:3999", DATABASE_URL: cluster.primaryUrl, DATABASE_REPLICA_URL: cluster.primaryUrl, PORT: "3998" },
          timeout: 60_000,
        },
        (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(started.code).toBe(78);
    expect(started.stderr).toContain("DATABASE_REPLICA_URL");
    expect(started.stderr).toContain("is not a streaming standby");
  }, 90_000);
});
