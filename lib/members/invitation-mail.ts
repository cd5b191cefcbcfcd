import type { DbOrTx } from "@/lib/db";
import { translator } from "@/lib/i18n/messages";
import { log } from "@/lib/log";
import type { Locale } from "@/lib/i18n/locales";
import { renderMail, sendMail } from "@/lib/mail";
import { getOrganizationSettings } from "@/lib/orgs";
import { getUser } from "@/lib/users";

/**
 * Tells an invited person they can now sign in, in their language (else the
 * organisation's), with their single-use invitation link (`url`).
 */
export async function sendInvitationMail(input: { to: string; locale: Locale; orgName: string; inviterName: string | null; url: string }) {
  const t = translator(input.locale);
  const url = input.url;
  const { html, text } = renderMail({
    heading: t("mail.invitation.heading", { org: input.orgName }),
    paragraphs: [
      input.inviterName ? t("mail.invitation.introBy", { name: input.inviterName, org: input.orgName }) : t("mail.invitation.intro", { org: input.orgName }),
      t("mail.invitation.what"),
    ],
    button: { label: t("mail.invitation.button", { org: input.orgName }), url },
    footer: t("mail.invitation.footer"),
  });
  return sendMail({ to: input.to, subject: t("mail.invitation.subject", { org: input.orgName }), html, text });
}

/**
 * Mails invitations (each with its link) on behalf of an admin; a failed mail is logged
 * and counted out, never fatal: the admin has the links anyway. Returns how many went.
 */
export async function mailInvitations(
  db: DbOrTx,
  input: { orgId: string; orgName: string; inviterUserId: string; invitations: Array<{ email: string; locale: Locale | null; url: string }> },
): Promise<number> {
  const [inviter, settings] = await Promise.all([getUser(db, input.inviterUserId), getOrganizationSettings(db, input.orgId)]);
  let sent = 0;
  const queue = [...input.invitations];
  const sender = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const to = next.email;
      const result = await sendInvitationMail({ to, locale: next.locale ?? settings.locale, orgName: input.orgName, inviterName: inviter?.name ?? null, url: next.url }).catch(
        (error: unknown) => {
          log.error({ err: error }, "invitation mail failed");
          return { sent: false };
        },
      );
      if (result.sent) sent++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, sender));
  return sent;
}
