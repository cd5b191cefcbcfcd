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
    url: text().notNull(),
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
