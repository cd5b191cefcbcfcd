/**
 * Postgres array literals, each one bound parameter however many values: a batch of 50,000
 * rows is seven parameters to `unnest`, not a VALUES list of 350,000 (the click ingest, the
 * points ledger, the reports' id lists).
 */

/** Values quoted and escaped (NULL for null): any text is safe. */
export function pgArray(values: ReadonlyArray<string | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;
}

/**
 * Values that hold nothing to quote — uuids, base64url, stream ids, numbers, t/f — joined as
 * they are; the caller has checked them (for clicks, the stream's schema). Quoting 50,000 values
 * a column with a regular expression was a tenth of the click consumer's time.
 */
export function plainArray(values: ReadonlyArray<string | number>): string {
  return `{${values.join(",")}}`;
}
