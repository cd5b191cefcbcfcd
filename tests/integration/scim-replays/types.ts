/**
 * One request a directory documents sending during provisioning, and what it expects
 * back. `{{name}}` in a path or body is replaced by a value captured from an earlier
 * answer (or set up by the test: {{userName}}, {{otherUserId}} …).
 */
export type ReplayStep = {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Relative to the SCIM base URL, e.g. `Users?filter=userName eq "{{userName}}"`. */
  path: string;
  body?: unknown;
  expect: {
    status: number;
    /** A partial match of the answer's JSON (toMatchObject). */
    body?: Record<string, unknown>;
    /** Attributes that must be absent from the answer. */
    absent?: string[];
  };
  /** Variables taken from the answer: name → top-level attribute. */
  capture?: Record<string, string>;
};

export type Replay = { source: string; steps: ReplayStep[] };
