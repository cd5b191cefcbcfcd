import { count } from "drizzle-orm";
import { organizations } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { env } from "@/lib/env";
import { getUser } from "@/lib/users";

/**
 * The queue dashboard acts on every organisation's jobs, so an admin of one is not enough:
 * OPERATOR_EMAILS names the operators (still admins). Unset, only a single-organisation
 * installation lets its admins in.
 */
export async function isOperator(db: DbOrTx, userId: string): Promise<boolean> {
  const listed = operatorEmails();
  if (listed) {
    const user = await getUser(db, userId);
    return user !== undefined && listed.has(user.email.toLowerCase());
  }
  const [row] = await db.select({ n: count() }).from(organizations);
  return (row?.n ?? 0) <= 1;
}

function operatorEmails(): Set<string> | null {
  const raw = env().OPERATOR_EMAILS;
  if (!raw) return null;
  return new Set(
    raw
      .split(",")
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
  );
}
