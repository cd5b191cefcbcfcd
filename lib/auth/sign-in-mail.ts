import { defaultLocale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { renderMail, sendMail } from "@/lib/mail";
import { usableMemberships } from "@/lib/members";
import { db } from "@/lib/db";
import { findUserByEmail } from "@/lib/users";
import { getOrganizationSettings } from "@/lib/orgs";

/**
 * Sends the sign-in link only to a person with a usable membership; anyone else gets
 * nothing, and the page they see is the same.
 */
export async function sendSignInLink(email: string, url: string, expires: Date): Promise<boolean> {
  const user = await findUserByEmail(db(), email);
  if (!user) return false;
  const orgs = await usableMemberships(db(), user.id);
  const first = orgs[0];
  if (!first) return false;
  const locale = user.locale ?? (await getOrganizationSettings(db(), first.orgId)).locale ?? defaultLocale;
  const t = translator(locale);
  const minutes = Math.max(1, Math.round((expires.getTime() - Date.now()) / 60_000));
  const { html, text } = renderMail({
    heading: t("mail.signIn.heading"),
    paragraphs: [t("mail.signIn.intro"), t("mail.signIn.expiry", { minutes })],
    button: { label: t("mail.signIn.button"), url },
    footer: t("mail.signIn.footer"),
  });
  await sendMail({ to: user.email, subject: t("mail.signIn.subject"), html, text });
  return true;
}
