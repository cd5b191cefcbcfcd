/**
 * Prepares the reports spec's team through lib/, as an operator's script would: a team of
 * 6 with a sub-team of 3 in the demo organisation, managed by the manager persona; one
 * member connects Bluesky (the local AT Protocol network) and shares now, one connects
 * Mastodon (the fake instance, through its OAuth consent) and shares now, and one of the
 * sub-team shares through Facebook's share window and says it was posted.
 *
 * usage: report-team.ts <tag> <manager email> <bluesky {handle, appPassword} JSON> <pds url> <mastodon url>
 * Prints one JSON line: { teamId, pressId, shareIds: [bluesky, mastodon], intentShareId }.
 */
import { eq } from "drizzle-orm";
import { stories, users } from "@/db/schema";
import { closeDb, db } from "@/lib/db";
import { completeConnect, connectBluesky, startConnect } from "@/lib/connections/connect";
import { acceptGuidelines, guidelinesStatus } from "@/lib/guidelines";
import { addActiveMember } from "@/lib/members";
import { getOrganizationBySlug } from "@/lib/orgs";
import { closeQueues } from "@/lib/queue";
import { confirmIntentShare, createIntentShare, createShares } from "@/lib/shares/create";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { trustedScope } from "@/lib/tenant";

async function main() {
  const [tag, managerEmail, blueskyJson, pdsUrl, mastodonUrl] = process.argv.slice(2) as [string, string, string, string, string];
  const org = (await getOrganizationBySlug(db(), "nordlys"))!;
  const cli = trustedScope(org.id, { kind: "cli" });
  const team = await createTeam(db(), cli, { name: `Kommunikation ${tag}` });
  const press = await createTeam(db(), cli, { name: `Presse ${tag}`, parentId: team.id });

  const person = async (name: string, teamId: string) => {
    const { user } = await addActiveMember(db(), cli, { email: `e2e-report-${tag}-${name.toLowerCase()}@nordlys.example`, name: `${name} ${tag}`, roles: ["employee"], teamId });
    const scope = trustedScope(org.id, { kind: "user", userId: user.id });
    await acceptGuidelines(db(), scope, user.id, (await guidelinesStatus(db(), scope, user.id)).version);
    return { id: user.id, scope };
  };
  const members = [];
  for (const name of ["Asta", "Bo", "Carl", "Dina", "Emil", "Frida"]) members.push(await person(name, team.id));
  const pressMembers = [];
  for (const name of ["Gry", "Hans", "Ida"]) pressMembers.push(await person(name, press.id));
  const [manager] = await db().select({ id: users.id }).from(users).where(eq(users.email, managerEmail));
  await setTeamManagers(db(), cli, team.id, [manager!.id]);

  // A story of its own, live for everyone (no audience), so the figures are this test's alone.
  const hourAgo = new Date(Date.now() - 3_600_000);
  const [story] = await db()
    .insert(stories)
    .values({ orgId: org.id, slug: `rapport-${tag}`, title: `Vindmøller i Esbjerg ${tag}`, language: "da", status: "published", canonicalUrl: `https://nordlys.example/nyheder/esbjerg-${tag}`, publishAt: hourAgo, publishedAt: hourAgo })
    .returning({ id: stories.id });
  const storyId = story!.id;

  const [asta, bo] = members as [(typeof members)[0], (typeof members)[0]];
  const advocate = JSON.parse(blueskyJson) as { handle: string; appPassword: string };
  const bluesky = await connectBluesky(db(), asta.scope, asta.id, { identifier: advocate.handle, appPassword: advocate.appPassword, pdsUrl });

  // Mastodon: the instance's consent page, answered as its form would be.
  const { redirectUrl } = await startConnect(db(), bo.scope, bo.id, { network: "mastodon", instanceUrl: mastodonUrl });
  const consent = new URL(redirectUrl);
  const approved = await fetch(new URL(consent.pathname, consent).toString(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams([...consent.searchParams.entries(), ["account", `bo-${tag}`], ["decision", "approve"]]).toString(),
    redirect: "manual",
  });
  const back = new URL(approved.headers.get("location")!);
  const mastodon = await completeConnect(db(), bo.scope, bo.id, { network: "mastodon", code: back.searchParams.get("code"), state: back.searchParams.get("state") });

  const text = "Stolt af det her 💙";
  const [onBluesky] = await createShares(db(), asta.scope, asta.id, { storyId, posts: [{ connectionId: bluesky.id, text }] });
  const [onMastodon] = await createShares(db(), bo.scope, bo.id, { storyId, posts: [{ connectionId: mastodon.id, text }] });
  const gry = pressMembers[0]!;
  const intent = await createIntentShare(db(), gry.scope, gry.id, { storyId, network: "facebook", text });
  await confirmIntentShare(db(), gry.scope, gry.id, intent.share.id, true);

  console.log(JSON.stringify({ teamId: team.id, pressId: press.id, shareIds: [onBluesky!.id, onMastodon!.id], intentShareId: intent.share.id }));
  await closeQueues();
  await closeDb();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
