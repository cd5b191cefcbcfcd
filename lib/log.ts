import { DrizzleQueryError } from "drizzle-orm/errors";
import pino, { type DestinationStream } from "pino";
import postgres from "postgres";
import { envFor } from "@/lib/env";

/**
 * Structured JSON logs. Anything that looks like a secret is redacted by key, so a
 * token passed by mistake does not reach the log; and a database error is logged without
 * what was sent with the statement or echoed back from it (withoutStatementValues).
 */

/** What a PostgreSQL error may log: its SQLSTATE and where it arose, never a value. */
const postgresFields = ["code", "severity", "routine", "schema_name", "table_name", "column_name", "constraint_name", "data_type"] as const;

/** A failed query's parameters inside a message or stack ("…\nparams: a,b"), up to the stack's frames. */
const paramsInText = /\nparams: [\s\S]*?(?=\n\s+at |$)/;

const isPostgresError = (error: Error): error is postgres.PostgresError => error instanceof postgres.PostgresError || error.name === "PostgresError";

/** The stack's frames under a new first line: the original first line repeats the message. */
function stackOf(error: Error, headline: string): string {
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  return [headline, ...frames].join("\n");
}

/** A copy of `error` with its prototype (so the logged type stays) and only the given fields. */
function copyOf(error: Error, fields: Record<string, unknown>): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.defineProperty(copy, key, { value, enumerable: key !== "stack" && key !== "message", writable: true, configurable: true });
  return copy;
}

/**
 * An error as it may be logged. drizzle's DrizzleQueryError carries the statement's parameters
 * (in `params` and in its message: a story's text, an e-mail address); PostgreSQL's own message,
 * detail and context quote values too ('invalid input syntax for type uuid: "…"', "Key
 * (email)=(…) already exists", "unnamed portal parameter $1 = '…'"). So a database error keeps
 * the statement's text (placeholders only), its SQLSTATE code, routine and the names of the
 * table, column and constraint; its messages and details are dropped. Other errors are kept as
 * they are, with a database error among their causes made safe the same way and a failed
 * query's parameters cut from their message. The original error is never changed.
 */
export function withoutStatementValues(error: unknown, seen = new Set<unknown>()): unknown {
  if (!(error instanceof Error) || seen.has(error)) return error;
  seen.add(error);
  if (error instanceof DrizzleQueryError) {
    const message = `Failed query: ${error.query}`;
    return copyOf(error, { message, stack: stackOf(error, `${error.name}: ${message}`), query: error.query, cause: withoutStatementValues(error.cause, seen) });
  }
  if (isPostgresError(error)) {
    const message = `PostgreSQL error ${error.code}${error.routine ? ` (${error.routine})` : ""}`;
    const fields: Record<string, unknown> = { message, stack: stackOf(error, `PostgresError: ${message}`) };
    for (const key of postgresFields) fields[key] = (error as unknown as Record<string, unknown>)[key];
    return copyOf(error, fields);
  }
  const cause = withoutStatementValues(error.cause, seen);
  const errors = Array.isArray((error as AggregateError).errors) ? (error as AggregateError).errors.map((e) => withoutStatementValues(e, seen)) : undefined;
  const changed = cause !== error.cause || paramsInText.test(error.message) || (errors ?? []).some((e, i) => e !== (error as AggregateError).errors[i]);
  if (!changed) return error;
  const redact = (text: string | undefined) => text?.replace(paramsInText, "\nparams: [not logged]");
  return copyOf(error, { ...error, message: redact(error.message), stack: redact(error.stack), cause, errors });
}

/** pino's error serializer, after withoutStatementValues. */
export function serializeError(error: unknown) {
  return pino.stdSerializers.err(withoutStatementValues(error) as Error);
}

/** The logger, writing to `destination` (standard output unless a test captures it). */
export function createLogger(destination?: DestinationStream) {
  const { LOG_LEVEL, RIPPLE_PROCESS } = envFor(["LOG_LEVEL", "RIPPLE_PROCESS"]);
  return pino(
    {
      level: LOG_LEVEL,
      base: { service: RIPPLE_PROCESS },
      serializers: { err: serializeError },
      // log.error(error) takes its message for the line's msg: the safe one.
      hooks: {
        logMethod(args, method) {
          if (args[0] instanceof Error) args[0] = withoutStatementValues(args[0]) as Error;
          return method.apply(this, args);
        },
      },
      redact: {
        paths: [
          "*.password",
          "*.token",
          "*.accessToken",
          "*.refreshToken",
          "*.access_token",
          "*.refresh_token",
          "*.secret",
          "*.authorization",
          "*.cookie",
          "headers.authorization",
          "headers.cookie",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

export const log = createLogger();
