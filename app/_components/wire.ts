/** A lib row as it crosses to a client component: the named Date fields as ISO strings. */
export type IsoDates<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? string | null : string };

/** Turns the named Date fields of a row into ISO strings, for a client component's props. */
export function withIsoDates<T extends object, K extends keyof T>(row: T, keys: readonly K[]): IsoDates<T, K> {
  const out: Record<PropertyKey, unknown> = { ...(row as Record<PropertyKey, unknown>) };
  for (const key of keys) {
    const value = row[key];
    out[key] = value instanceof Date ? value.toISOString() : null;
  }
  return out as IsoDates<T, K>;
}
