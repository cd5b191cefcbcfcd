import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase } from "@/db/migrate";

/**
 * A fresh PostgreSQL database per test run on the real server (TEST_DATABASE_URL names
 * the server; default the machine's local one), migrated, and dropped afterwards. A
 * guard refuses anything but a local server, so a test run cannot wipe real data.
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to create test databases on ${host}: tests run against a local PostgreSQL only`);
  }
}

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

export async function createTestDatabase(kind: string): Promise<TestDatabase> {
  assertLocal(ADMIN_URL);
  const name = `ripple_${kind}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const conn = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await conn.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await conn.end();
      }
    },
  };
}
