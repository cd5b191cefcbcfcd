import { Worker } from "bullmq";
import { db } from "@/lib/db";
import { updateGovernance } from "@/lib/orgs/governance";
import { bullPrefix, createRedis, publishQueueFor } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { makeOrganization, makePublishedStory, makeSharer } from "./factories";

/**
 * The failover tests' scene: an organisation of `count` people with an X account and a story
 * each (colleagues' shares of one story are spaced minutes apart, and these should go now), and
 * a BullMQ worker on the configured Redis that only records which shares it was given.
 * `shareFrom(i, round)` makes person i's share; `ours()` is every share id the worker took that
 * these made, repeats included.
 */
export async function startShareTaking(orgName: string, count = 20) {
  const { cli } = await makeOrganization(orgName);
  await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: null, blockedWords: [] });
  const slug = orgName.split(" ")[0]!.toLowerCase();
  const stories = await Promise.all(Array.from({ length: count }, (_, i) => makePublishedStory(cli, { title: `Historie ${i}`, canonicalUrl: `https://${slug}.example/historie-${i}` })));
  const people = await Promise.all(Array.from({ length: count }, () => makeSharer(cli, { networks: ["x"] })));
  const mine = new Set<string>();
  const taken: string[] = [];
  const connection = createRedis("worker");
  const worker = new Worker(
    publishQueueFor("x"),
    async (job) => {
      taken.push((job.data as { shareId: string }).shareId);
    },
    { connection, prefix: bullPrefix(publishQueueFor("x")) },
  );
  worker.on("error", () => undefined);
  const ours = () => taken.filter((id) => mine.has(id));
  return {
    async shareFrom(i: number, round: number) {
      const person = people[i]!;
      const [share] = await createShares(db(), cli, person.user.id, { storyId: stories[i]!.id, posts: [{ connectionId: person.connections.x!.id, text: `Runde ${round}: ${slug} ${i}` }] });
      mine.add(share!.id);
      return share!;
    },
    ours,
    /** Resolves once `n` different shares of these were taken. */
    async waitTaken(n: number, timeoutMs = 30_000) {
      const started = Date.now();
      while (new Set(ours()).size < n) {
        if (Date.now() - started > timeoutMs) throw new Error(`only ${new Set(ours()).size} of ${n} shares taken`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
