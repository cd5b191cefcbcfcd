import { count } from "drizzle-orm";
import { organizations } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { env } from "@/lib/env";
import { getUser } from "@/lib/users";

/**
 * Who runs this installation. The queue dashboard shows and acts on every organisation's
 * jobs, so being an admin of one organisation is not enough: OPERATOR_EMAILS names the
 * people who run the installation (they must still be admins). Without it, an
 * installation that holds a single organisation lets that organisation's admins in (its
 * admins run it); with two or more organisations nobody is let in until it is set.
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
