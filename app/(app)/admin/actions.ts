"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { deactivateMember, inviteMember, inviteMemberSchema, reactivateMember, rolesSchema, updateMember } from "@/lib/members";
import { applyMemberImport, importFileSchema, invitationLinksCsv, previewMemberImport } from "@/lib/members/import";
import { reissueInvitation } from "@/lib/members/invitation-links";
import { mailInvitations } from "@/lib/members/invitation-mail";
import { createTeam, deleteTeam, moveTeam, renameTeam, setTeamManagers, teamNameSchema } from "@/lib/teams";

const admin = ["admin"] as const;
/** A select's "no team" option arrives as an empty string. */
const optionalId = z.preprocess((v) => (v === "" || v === undefined ? null : v), z.uuid().nullable());
const id = z.uuid();

export const inviteMemberAction = action(
  { roles: admin, input: inviteMemberSchema.extend({ teamId: optionalId }) },
  async (input, ctx) => {
    const { user, link } = await inviteMember(ctx.db, ctx.scope, input);
    // The membership stands even if the mail fails; the admin has the link either way.
    const sent = await mailInvitations(ctx.db, { orgId: ctx.orgId, orgName: ctx.orgName, inviterUserId: ctx.userId, invitations: [{ email: user.email, locale: user.locale, url: link.url }] });
    revalidatePath("/admin");
    return { email: user.email, mailSent: sent > 0, link: { url: link.url, expiresAt: link.expiresAt.toISOString() } };
  },
);

/** Invite again: a fresh link for a member who has not joined (the old link stops working), mailed when mail is set up. */
export const reinviteMemberAction = action({ roles: admin, input: z.object({ membershipId: id }) }, async ({ membershipId }, ctx) => {
  const { link, email, locale } = await reissueInvitation(ctx.db, ctx.scope, membershipId);
  const sent = await mailInvitations(ctx.db, { orgId: ctx.orgId, orgName: ctx.orgName, inviterUserId: ctx.userId, invitations: [{ email, locale, url: link.url }] });
  return { email, mailSent: sent > 0, link: { url: link.url, expiresAt: link.expiresAt.toISOString() } };
});

/** The dry run of a member CSV: what would be invited, changed and refused, line by line. Writes nothing. */
export const previewImportAction = action({ roles: admin, input: importFileSchema }, async ({ csv }, ctx) => previewMemberImport(ctx.db, ctx.scope, csv));

/** Applies a member CSV, checked again here; all or nothing. Returns the new members' links, also as a CSV file. */
export const applyImportAction = action({ roles: admin, input: importFileSchema }, async ({ csv }, ctx) => {
  const result = await applyMemberImport(ctx.db, ctx.scope, csv);
  if (!result.applied) return result;
  const links = result.created.map((c) => ({ email: c.email, name: c.name, url: c.link.url, expiresAt: c.link.expiresAt.toISOString() }));
  const mailed = await mailInvitations(ctx.db, {
    orgId: ctx.orgId,
    orgName: ctx.orgName,
    inviterUserId: ctx.userId,
    invitations: result.created.map((c) => ({ email: c.email, locale: c.locale, url: c.link.url })),
  });
  revalidatePath("/admin");
  return { applied: true as const, created: links, changed: result.changed, unchanged: result.unchanged, mailed, csv: invitationLinksCsv(links) };
});

export const updateMemberAction = action(
  { roles: admin, input: z.object({ membershipId: id, roles: rolesSchema, teamId: optionalId }) },
  async ({ membershipId, roles, teamId }, ctx) => {
    await updateMember(ctx.db, ctx.scope, membershipId, { roles, teamId });
    revalidatePath("/admin");
    return true;
  },
);

export const deactivateMemberAction = action({ roles: admin, input: z.object({ membershipId: id }) }, async ({ membershipId }, ctx) => {
  await deactivateMember(ctx.db, ctx.scope, membershipId);
  revalidatePath("/admin");
  return true;
});

export const reactivateMemberAction = action({ roles: admin, input: z.object({ membershipId: id }) }, async ({ membershipId }, ctx) => {
  await reactivateMember(ctx.db, ctx.scope, membershipId);
  revalidatePath("/admin");
  return true;
});

export const createTeamAction = action({ roles: admin, input: z.object({ name: teamNameSchema, parentId: optionalId }) }, async (input, ctx) => {
  const team = await createTeam(ctx.db, ctx.scope, input);
  revalidatePath("/admin/teams");
  return { id: team.id };
});

export const renameTeamAction = action({ roles: admin, input: z.object({ teamId: id, name: teamNameSchema }) }, async ({ teamId, name }, ctx) => {
  await renameTeam(ctx.db, ctx.scope, teamId, name);
  revalidatePath("/admin/teams");
  return true;
});

export const moveTeamAction = action({ roles: admin, input: z.object({ teamId: id, parentId: optionalId }) }, async ({ teamId, parentId }, ctx) => {
  await moveTeam(ctx.db, ctx.scope, teamId, parentId);
  revalidatePath("/admin/teams");
  return true;
});

export const deleteTeamAction = action({ roles: admin, input: z.object({ teamId: id }) }, async ({ teamId }, ctx) => {
  await deleteTeam(ctx.db, ctx.scope, teamId);
  revalidatePath("/admin/teams");
  return true;
});

export const setTeamManagersAction = action(
  { roles: admin, input: z.object({ teamId: id, managers: z.array(z.string().min(1)).max(100).default([]) }) },
  async ({ teamId, managers }, ctx) => {
    await setTeamManagers(ctx.db, ctx.scope, teamId, managers);
    revalidatePath("/admin/teams");
    return true;
  },
);
