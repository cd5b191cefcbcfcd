import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { db } from "@/lib/db";
import { createLogger } from "@/lib/log";
import { uniqueEmail } from "../support/factories";

/**
 * Issue 14, item 8: a failed statement is logged without its parameters, and without what
 * PostgreSQL echoes back of them (its message, detail and context quote values), but with
 * its SQLSTATE code, so the log says what went wrong and never what a person wrote.
 */

/** A logger as the app's, writing its lines here. */
function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { log: createLogger(destination), text: () => lines.join("") };
}

async function failure(query: Promise<unknown>): Promise<Error> {
  const error = await query.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("a database error in the log", () => {
  it("has the SQLSTATE code and the statement's text, not a value sent with it", async () => {
    const secret = "Hemmelig-kommentar-4711 om Anna";
    // 22P02: PostgreSQL's message quotes the value, and its context names the parameter with it.
    const badUuid = await failure(db().execute(sql`select ${secret}::uuid as id`));
    // Unmistakably there before the log sees it: drizzle puts the parameters in its message.
    expect(badUuid.message).toContain(secret);

    // 23505: the detail says "Key (email)=(…) already exists".
    const email = uniqueEmail("hemmelig-adresse");
    await db().insert(users).values({ email });
    const duplicate = await failure(db().insert(users).values({ email }));
    expect(JSON.stringify(duplicate.cause, Object.getOwnPropertyNames(duplicate.cause))).toContain(email);

    const { log, text } = captured();
    log.error({ err: badUuid, path: "/api/v1/stories" }, "route failed");
    log.warn({ err: duplicate }, "job failed");
    // An error that wraps one (a job's or a library's), and one logged on its own.
    log.error({ err: new Error("import failed", { cause: badUuid }) }, "import failed");
    log.error(badUuid);
    const out = text();

    expect(out).not.toContain("Hemmelig");
    expect(out).not.toContain("4711");
    expect(out).not.toContain(email);
    expect(out).not.toContain("hemmelig-adresse");
    for (const line of out.trim().split("\n")) JSON.parse(line);
    const [uuidLine, duplicateLine, wrappedLine, bareLine] = out.trim().split("\n").map((l) => JSON.parse(l) as { err: Record<string, unknown> & { message: string; stack: string } });
    // What helps whoever reads the log stays: the code, where it arose, and the statement with its placeholders.
    expect(uuidLine!.err).toMatchObject({ type: "DrizzleQueryError", query: "select $1::uuid as id" });
    expect(uuidLine!.err.message).toContain("22P02");
    expect(uuidLine!.err.stack).toMatch(/\n\s+at /);
    expect(duplicateLine!.err.message).toContain("23505");
    expect(duplicateLine!.err).toMatchObject({ type: "DrizzleQueryError" });
    expect(duplicateLine!.err.message).toMatch(/insert into "users"/);
    expect(wrappedLine!.err.message).toMatch(/^import failed: Failed query: select \$1::uuid as id: PostgreSQL error 22P02/);
    expect(bareLine!.err.message).toContain("22P02");

    // The error itself is untouched: whoever catches it later still has all of it.
    expect(badUuid.message).toContain(secret);
  });
});
