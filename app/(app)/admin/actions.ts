"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { log } from "@/lib/log";
import { deactivateMember, inviteMember, inviteMemberSchema, reactivateMember, rolesSchema, updateMember } from "@/lib/members";
import { sendInvitationMail } from "@/lib/members/invitation-mail";
import { getOrganizationSettings } from "@/lib/orgs";
import { createTeam, deleteTeam, moveTeam, renameTeam, setTeamManagers, teamNameSchema } from "@/lib/teams";
import { getUser } from "@/lib/users";

const admin = ["admin"] as const;
/** A select's "no team" option arrives as an empty string. */
const optionalId = z.preprocess((v) => (v === "" || v === undefined ? null : v), z.uuid().nullable());
const id = z.uuid();

export const inviteMemberAction = action(
  { roles: admin, input: inviteMemberSchema.extend({ teamId: optionalId }) },
  async (input, ctx) => {
    const { user } = await inviteMember(ctx.db, ctx.scope, input);
    const [inviter, settings] = await Promise.all([getUser(ctx.db, ctx.userId), getOrganizationSettings(ctx.db, ctx.orgId)]);
    // The membership stands even if the mail fails; the admin sees whether it was sent.
    const mail = await sendInvitationMail({ to: user.email, locale: user.locale ?? settings.locale, orgName: ctx.orgName, inviterName: inviter?.name ?? null }).catch((error) => {
      log.error({ err: error }, "invitation mail failed");
      return { sent: false };
    });
    revalidatePath("/admin");
    return { email: user.email, mailSent: mail.sent };
  },
);

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
