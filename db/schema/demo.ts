import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { socialConnections } from "./connections";
import { shares } from "./shares";
import { idColumn, orgColumn } from "./columns";

/**
 * Posts on the local demo network (demo mode only): what demo employees "publish" lands
 * here, on this machine, instead of on a real network.
 */
export const demoPosts = pgTable(
  "demo_posts",
  {
    id: idColumn(),
    orgId: orgColumn(),
    connectionId: uuid().references(() => socialConnections.id, { onDelete: "set null" }),
    /** One post per share, whatever retries: the idempotency the real networks lack. */
    shareId: uuid()
      .unique()
      .references(() => shares.id, { onDelete: "set null" }),
    author: text().notNull(),
    text: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId, t.createdAt)],
);

export type DemoPost = typeof demoPosts.$inferSelect;
