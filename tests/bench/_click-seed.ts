import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships, organizations, shares, stories, teams, trackedLinks, users, type NetworkId } from "@/db/schema";
import { newLinkCode, withUtm } from "@/lib/links/tracked-links";

/**
 * The click benchmarks' data (tests/bench/redirect.ts, ingest.ts): one organisation with
 * teams, employees, published stories and one published share with a tracked link each.
 */

const NETWORKS: NetworkId[] = ["linkedin", "x", "mastodon", "bluesky"];

export type SeededLink = { id: string; orgId: string; shareId: string; code: string; destination: string };

export async function seedLinks(db: Database, links: number, options: { members?: number; stories?: number } = {}): Promise<SeededLink[]> {
  const memberCount = options.members ?? 500;
  const storyCount = options.stories ?? 20;
  const [org] = await db.insert(organizations).values({ name: "Klik A/S", slug: `klik-${randomBytes(3).toString("hex")}` }).returning();
  const orgId = org!.id;
  const teamRows = await db.insert(teams).values(Array.from({ length: 10 }, (_, i) => ({ orgId, name: `Team ${i + 1}` }))).returning();
  const people = Array.from({ length: memberCount }, (_, i) => ({ id: randomUUID(), email: `klik.${i}.${randomBytes(2).toString("hex")}@example.test`, name: `Medarbejder ${i + 1}` }));
  for (let i = 0; i < people.length; i += 1_000) {
    const chunk = people.slice(i, i + 1_000);
    await db.insert(users).values(chunk);
    await db.insert(memberships).values(chunk.map((p, j) => ({ orgId, userId: p.id, roles: ["employee" as const], status: "active" as const, teamId: teamRows[(i + j) % teamRows.length]!.id, joinedAt: new Date() })));
  }
  const hourAgo = new Date(Date.now() - 3_600_000);
  const storyRows = await db
    .insert(stories)
    .values(Array.from({ length: storyCount }, (_, i) => ({ orgId, slug: `nyhed-${i + 1}`, title: `Nyhed ${i + 1}`, language: "da" as const, status: "published" as const, canonicalUrl: `https://nordlys.example/nyheder/${i + 1}`, publishAt: hourAgo, publishedAt: hourAgo })))
    .returning();

  const out: SeededLink[] = [];
  for (let i = 0; i < links; i += 2_000) {
    const shareRows: Array<typeof shares.$inferInsert & { id: string }> = [];
    const linkRows: Array<typeof trackedLinks.$inferInsert & { id: string; code: string; destination: string }> = [];
    for (let k = i; k < Math.min(links, i + 2_000); k++) {
      const story = storyRows[k % storyRows.length]!;
      const network = NETWORKS[k % NETWORKS.length]!;
      const id = randomUUID();
      shareRows.push({ id, orgId, storyId: story.id, userId: people[k % people.length]!.id, network, mode: "api", status: "published", text: `Læs: ${story.title}`, scheduledAt: hourAgo, publishedAt: hourAgo });
      const destination = withUtm(story.canonicalUrl!, { network, storySlug: story.slug, shareId: id });
      linkRows.push({ id: randomUUID(), orgId, code: newLinkCode(), shareId: id, storyId: story.id, destination });
    }
    await db.insert(shares).values(shareRows);
    await db.insert(trackedLinks).values(linkRows);
    for (const l of linkRows) out.push({ id: l.id, orgId, shareId: l.shareId!, code: l.code, destination: l.destination });
  }
  await db.execute(sql`analyze`);
  return out;
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
