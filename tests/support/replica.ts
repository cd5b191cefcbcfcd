import { execFile } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

/**
 * A PostgreSQL primary of its own and a real streaming standby made from it with
 * pg_basebackup (the test PostgreSQL on 5432 refuses replication connections), on private
 * ports, for the read-replica tests. PostgreSQL will not run as root, so both run as the
 * `postgres` user when the tests are root (as CI is). `pauseReplay` holds the standby's
 * replay (a lagging replica); `stopStandby` takes it down.
 */
export type ReplicatedPostgres = {
  primaryUrl: string;
  standbyUrl: string;
  /** Waits until the standby has replayed everything the primary has written. */
  caughtUp(): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stopStandby(): Promise<void>;
  stop(): Promise<void>;
};

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) throw new Error("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/<version>/bin)");
  return path.join(root, version, "bin");
}

async function as(user: string | null, command: string, args: string[]) {
  const [file, argv] = user ? ["runuser", ["-u", user, "--", command, ...args]] : [command, args];
  return run(file, argv, { maxBuffer: 16 * 1024 * 1024 });
}

export async function startReplicatedPostgres(basePort = 55_432 + Math.floor(Math.random() * 500) * 2): Promise<ReplicatedPostgres> {
  const bin = binDir();
  const user = process.getuid?.() === 0 ? "postgres" : null;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ripple-replica-"));
  chmodSync(dir, 0o755);
  if (user) {
    const { stdout } = await run("id", ["-u", user]);
    const { stdout: gid } = await run("id", ["-g", user]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const primaryDir = path.join(dir, "primary");
  const standbyDir = path.join(dir, "standby");
  const [primaryPort, standbyPort] = [basePort, basePort + 1];
  const ctl = (data: string, action: string, port?: number) =>
    as(user, path.join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", "-l", path.join(data, "log"), ...(port ? ["-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`] : []), action]);

  await as(user, path.join(bin, "initdb"), ["-D", primaryDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  appendFileSync(path.join(primaryDir, "postgresql.conf"), "\nwal_level = replica\nmax_wal_senders = 4\nfsync = off\nfull_page_writes = off\n");
  appendFileSync(path.join(primaryDir, "pg_hba.conf"), "\nhost replication all 127.0.0.1/32 trust\n");
  await ctl(primaryDir, "start", primaryPort);
  await as(user, path.join(bin, "pg_basebackup"), ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", standbyDir, "-R", "-X", "stream"]);
  await ctl(standbyDir, "start", standbyPort);

  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const standbyUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`;
  const onStandby = async <T>(fn: (sql: postgres.Sql) => Promise<T>) => {
    const sql = postgres(standbyUrl, { max: 1, onnotice: () => undefined });
    try {
      return await fn(sql);
    } finally {
      await sql.end();
    }
  };
  let standbyUp = true;
  return {
    primaryUrl,
    standbyUrl,
    async caughtUp() {
      const primary = postgres(primaryUrl, { max: 1, onnotice: () => undefined });
      try {
        const [{ lsn }] = (await primary`select pg_current_wal_insert_lsn()::text as lsn`) as unknown as [{ lsn: string }];
        for (let i = 0; i < 300; i++) {
          const [row] = await onStandby((sql) => sql`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as done`);
          if (row?.done) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error("the standby did not catch up within 15 s");
      } finally {
        await primary.end();
      }
    },
    pauseReplay: () => onStandby((sql) => sql`select pg_wal_replay_pause()`).then(() => undefined),
    resumeReplay: () => onStandby((sql) => sql`select pg_wal_replay_resume()`).then(() => undefined),
    async stopStandby() {
      if (!standbyUp) return;
      standbyUp = false;
      await ctl(standbyDir, "stop").catch(() => undefined);
    },
    async stop() {
      if (standbyUp) await ctl(standbyDir, "stop").catch(() => undefined);
      await ctl(primaryDir, "stop").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
