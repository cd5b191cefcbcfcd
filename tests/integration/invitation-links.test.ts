import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, invitationLinks, memberships } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { activateInvitedMemberships, deactivateMember, inviteMember } from "@/lib/members";
import { acceptInvitationLink, inspectInvitationLink, reissueInvitation } from "@/lib/members/invitation-links";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";

const DAY = 24 * 3600_000;
const tokenOf = (url: string) => url.split("/invite/")[1]!;

async function setup() {
  const { org, cli } = await makeOrganization("Nordlys Test A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Mette Admin" });
  const email = uniqueEmail("invitee");
  const { membership, link } = await inviteMember(db(), admin.scope, { email, name: "Ida Invitee", roles: ["employee"] });
  return { org, cli, admin, email, membership, link, token: tokenOf(link.url) };
}

async function statusOf(membershipId: string) {
  const [row] = await db().select({ status: memberships.status }).from(memberships).where(eq(memberships.id, membershipId));
  return row!.status;
}

describe("invitation links", () => {
  it("an invitation comes with a 7-day link of which only the hash is stored", async () => {
    const { membership, link, token } = await setup();
    expect(link.url).toMatch(/\/invite\/[0-9A-Za-z]{43}$/);
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * DAY - 60_000);
    expect(link.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(7 * DAY);
    const rows = await db().select().from(invitationLinks).where(eq(invitationLinks.membershipId, membership.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows[0])).not.toContain(token);
  });

  it("signs its person in once: the membership turns active, the acceptance is audited, a second use is refused", async () => {
    const { org, membership, email, token } = await setup();
    expect(await inspectInvitationLink(db(), token)).toMatchObject({ state: "valid", orgName: org.name, email, inviterName: "Mette Admin" });

    const accepted = await acceptInvitationLink(db(), token);
    expect(accepted).toMatchObject({ email, orgId: org.id, name: "Ida Invitee" });
    expect(await statusOf(membership.id)).toBe("active");
    const entries = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.id), eq(auditLog.targetId, membership.id)));
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(["member.invite", "member.invitation_accept"]));
    expect(entries.find((e) => e.action === "member.invitation_accept")).toMatchObject({ actorUserId: accepted!.userId, actorKind: "user" });

    expect(await acceptInvitationLink(db(), token)).toBeNull();
    expect(await inspectInvitationLink(db(), token)).toMatchObject({ state: "used", admins: ["Mette Admin"] });
  });

  it("two simultaneous uses: exactly one signs in", async () => {
    const { token } = await setup();
    const results = await Promise.all([acceptInvitationLink(db(), token), acceptInvitationLink(db(), token), acceptInvitationLink(db(), token)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("refuses an expired link and changes nothing; the page names the organisation's admins", async () => {
    const { membership, token } = await setup();
    const later = new Date(Date.now() + 7 * DAY + 1000);
    expect(await acceptInvitationLink(db(), token, later)).toBeNull();
    expect(await statusOf(membership.id)).toBe("invited");
    expect(await inspectInvitationLink(db(), token, later)).toMatchObject({ state: "expired", admins: ["Mette Admin"] });
    // A day before expiry it still works.
    expect(await acceptInvitationLink(db(), token, new Date(Date.now() + 6 * DAY))).not.toBeNull();
  });

  it("inviting again issues a fresh link and the old one stops working", async () => {
    const { admin, membership, token, org } = await setup();
    const again = await reissueInvitation(db(), admin.scope, membership.id);
    const fresh = tokenOf(again.link.url);
    expect(fresh).not.toBe(token);
    expect(await inspectInvitationLink(db(), token)).toMatchObject({ state: "replaced" });
    expect(await acceptInvitationLink(db(), token)).toBeNull();
    expect(await acceptInvitationLink(db(), fresh)).toMatchObject({ orgId: org.id });
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, membership.id), eq(auditLog.action, "member.reinvite")));
    expect(entry).toMatchObject({ actorUserId: admin.user.id });
  });

  it("only a pending member of the admin's own organisation can be invited again", async () => {
    const { admin, membership, token } = await setup();
    const other = await makeOrganization("Other A/S");
    const otherAdmin = await makeMember(other.cli, ["admin"]);
    await expect(reissueInvitation(db(), otherAdmin.scope, membership.id)).rejects.toMatchObject({ code: "notFound" });
    expect(await inspectInvitationLink(db(), token)).toMatchObject({ state: "valid" });
    await acceptInvitationLink(db(), token);
    await expect(reissueInvitation(db(), admin.scope, membership.id)).rejects.toMatchObject({ code: "notInvited" });
  });

  it("stops working when the member is deactivated or joins another way; unknown tokens are refused", async () => {
    const a = await setup();
    await deactivateMember(db(), a.admin.scope, a.membership.id);
    expect(await inspectInvitationLink(db(), a.token)).toMatchObject({ state: "withdrawn" });
    expect(await acceptInvitationLink(db(), a.token)).toBeNull();

    const b = await setup();
    await activateInvitedMemberships(db(), b.membership.userId);
    expect(await inspectInvitationLink(db(), b.token)).toMatchObject({ state: "replaced" });
    expect(await acceptInvitationLink(db(), b.token)).toBeNull();

    expect(await inspectInvitationLink(db(), "x".repeat(43))).toEqual({ state: "unknown" });
    expect(await acceptInvitationLink(db(), "not a token")).toBeNull();
  });
});
