import { storyStatusIds } from "@/db/schema";

/**
 * Every action the audit log records. `audit()` accepts only these, so a new action cannot be
 * written without being named here, and tests/unit/audit-actions.test.ts demands words for
 * each in Danish and English (messages: audit.actions.<group>.<verb>).
 */
export const auditActions = [
  "api_token.create",
  "api_token.revoke",
  "connection.create",
  "connection.delete",
  "directory_group.map",
  "emv.rates_saved",
  "feed.create",
  "feed.delete",
  "feed.update",
  "guidelines.accept",
  "guidelines.save",
  "leaderboard.opt_in",
  "leaderboard.opt_out",
  "member.add",
  "member.deactivate",
  "member.erased",
  "member.invitation_accept",
  "member.invite",
  "member.reactivate",
  "member.reinvite",
  "member.update",
  "member.writingExamples",
  "org.create",
  "org.feed",
  "org.governance",
  "org.linkPlacement",
  "org.networkApp",
  "org.points",
  "org.writingHelp",
  "org.xApi",
  "scim.group.create",
  "scim.group.delete",
  "scim.group.member_add",
  "scim.group.member_remove",
  "scim.group.update",
  "scim.user.create",
  "scim.user.delete",
  "scim.user.update",
  "scim_token.create",
  "scim_token.revoke",
  "session.sign_out_everywhere",
  "story.create",
  "story.update",
  ...storyStatusIds.map((status) => `story.${status}` as const),
  "team.create",
  "team.delete",
  "team.managers",
  "team.move",
  "team.rename",
  "topic.create",
  "topic.delete",
  "topic.rename",
  "webhook.create",
  "webhook.delete",
  "webhook.update",
] as const;

export type AuditAction = (typeof auditActions)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (auditActions as readonly string[]).includes(value);
}

/** What an entry is about; each has a word for "deleted <thing>" (audit.targets.*). */
export const auditTargetTypes = ["api_token", "directory_group", "guidelines", "membership", "organization", "rss_feed", "scim_token", "social_connection", "story", "team", "topic", "webhook"] as const;
export type AuditTargetType = (typeof auditTargetTypes)[number];
