import { and, eq, ne } from "drizzle-orm";
import { shares } from "@/db/schema";

/** Colleagues' shares of a story: everyone's in the organisation but the person's own. */
export function colleaguesSharesOf(orgId: string, storyId: string, userId: string) {
  return and(eq(shares.orgId, orgId), eq(shares.storyId, storyId), ne(shares.userId, userId));
}
