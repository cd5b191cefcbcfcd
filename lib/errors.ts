/**
 * Domain errors the edges map to answers: a server action returns them as a failed
 * result, a route handler as RFC 9457 problem+json. `code` is a message key (errors.*)
 * so the words come in the reader's language.
 */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 429,
    readonly code: string,
    message?: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message ?? code);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) => new DomainError(404, "notFound", `${what} not found`);
export const conflict = (code: string, message?: string) => new DomainError(409, code, message);
export const invalid = (code: string, message?: string, fieldErrors?: Record<string, string[]>) =>
  new DomainError(422, code, message, fieldErrors);

/**
 * Try again after `delayMs` without spending an attempt: a rate limit, or another try of
 * the same work under way. The workers move the job by the wait.
 */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

/** A failure no further attempt can fix: the job fails at once, with this message. */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentFailure";
  }
}

/**
 * PostgreSQL refused text it cannot store: a NUL or a byte sequence that is not UTF-8
 * (22021 character_not_in_repertoire, 22P05 untranslatable_character, e.g. \u0000 in jsonb).
 * Bad input, not a fault: the edges answer 400. Drizzle wraps the driver's error in `cause`.
 */
export function isUnstorableText(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "22021" || code === "22P05") return true;
  }
  return false;
}
