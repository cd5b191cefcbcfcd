import { boolean, index, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";

export const webhookKindEnum = pgEnum("webhook_kind", ["generic", "slack", "teams"]);

/** Outgoing webhooks: signed JSON to any URL, or Slack / Teams incoming-webhook messages. */
export const webhooks = pgTable(
  "webhooks",
  {
    id: idColumn(),
    orgId: orgColumn(),
    kind: webhookKindEnum().notNull().default("generic"),
    /**
     * The URL, AES-256-GCM ciphertext (lib/webhooks/secrets.ts): an incoming-webhook URL is the
     * whole credential. Rows from before it was encrypted hold the plain URL until the
     * migrate step or the workers' start rewrites them.
     */
    urlEnc: text().notNull(),
    /** What the UI shows of the URL: host and its last four characters. Null until rewritten. */
    urlHint: text(),
    /** Signing secret, AES-256-GCM ciphertext. */
    secretEnc: text(),
    events: text().array().notNull().default([]),
    active: boolean().notNull().default(true),
    lastDeliveryAt: timestamp({ withTimezone: true }),
    lastError: text(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId)],
);

export type Webhook = typeof webhooks.$inferSelect;
