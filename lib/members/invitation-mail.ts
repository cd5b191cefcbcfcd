import { appUrl } from "@/lib/env/app-url";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { renderMail, sendMail } from "@/lib/mail";

/** Tells an invited person they can now sign in, in their language (else the organisation's). */
export async function sendInvitationMail(input: { to: string; locale: Locale; orgName: string; inviterName: string | null }) {
  const t = translator(input.locale);
  const url = appUrl("/signin");
  const { html, text } = renderMail({
    heading: t("mail.invitation.heading", { org: input.orgName }),
    paragraphs: [
      input.inviterName ? t("mail.invitation.introBy", { name: input.inviterName, org: input.orgName }) : t("mail.invitation.intro", { org: input.orgName }),
      t("mail.invitation.what"),
    ],
    button: { label: t("mail.invitation.button"), url },
    footer: t("mail.invitation.footer"),
  });
  return sendMail({ to: input.to, subject: t("mail.invitation.subject", { org: input.orgName }), html, text });
}
