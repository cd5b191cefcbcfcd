import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { confirmWords } from "@/lib/me/delete-account";
import { requireMember } from "@/lib/auth/guard";
import { getPreferences } from "@/lib/notifications/preferences";
import { getOrganizationSettings } from "@/lib/orgs";
import { vapidPublicKey } from "@/lib/push/vapid";
import { getUser } from "@/lib/users";
import { LanguageSwitcher } from "../../_components/language-switcher";
import { requestLocale } from "../../_i18n/locale";
import { ButtonLink, PageHeader, Section, buttonClass } from "../../_components/ui";
import { DeleteAccountForm } from "./delete-account-form";
import { NotificationForm } from "./notification-form";
import { ProfileForm } from "./profile-form";
import { PushToggle } from "./push-toggle";
import { SignOutEverywhere } from "./sign-out-everywhere";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}

export default async function SettingsPage() {
  const ctx = await requireMember("any-member");
  const t = await getTranslations("settings");
  const tPush = await getTranslations("push.settings");
  const [user, org, prefs] = await Promise.all([getUser(ctx.db, ctx.userId), getOrganizationSettings(ctx.db, ctx.orgId), getPreferences(ctx.db, ctx.scope, ctx.userId)]);
  return (
    <>
      <PageHeader title={t("title")} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section card id="language-heading" title={t("language")} description={t("languageHint")}>
          <LanguageSwitcher />
        </Section>
        <Section card id="profile-heading" title={t("profile")}>
          <ProfileForm name={user?.name ?? ""} email={user?.email ?? ""} timeZone={user?.timeZone ?? ""} orgTimeZone={org.timeZone} timeZones={Intl.supportedValuesOf("timeZone")} />
        </Section>
        <Section card id="notifications-heading" title={t("notifications.title")} description={t("notifications.hint")}>
          <NotificationForm
            weeklyDigest={prefs.weeklyDigest}
            withdrawnMail={prefs.withdrawnMail}
            weeklyReport={prefs.weeklyReport}
            showDigest={ctx.roles.includes("employee")}
            showReport={ctx.roles.includes("manager")}
          />
        </Section>
        <Section card id="push-heading" title={tPush("title")} description={tPush("hint")}>
          <PushToggle publicKey={vapidPublicKey()} />
        </Section>
        <Section card id="sessions-heading" title={t("sessions.title")} description={t("sessions.hint")}>
          <SignOutEverywhere />
        </Section>
        <ApiTokensCard />
        <MyDataCards />
      </div>
    </>
  );
}

/** Personal API tokens for /api/v1 live on their own page (settings/api-tokens). */
async function ApiTokensCard() {
  const t = await getTranslations("apiTokens");
  return (
    <Section card id="api-tokens-heading" title={t("title")} description={t("settingsHint")}>
      <ButtonLink href="/settings/api-tokens">{t("manage")}</ButtonLink>
    </Section>
  );
}

/** GDPR: download one's data, delete one's account (lib/me/export, lib/me/delete-account). */
async function MyDataCards() {
  const t = await getTranslations("me.data");
  const locale = await requestLocale();
  return (
    <>
      <Section card id="export-heading" title={t("exportTitle")} description={t("exportHint")}>
        <a href="/settings/export" download className={buttonClass("secondary")}>
          {t("exportButton")}
        </a>
      </Section>
      <Section card id="delete-heading" title={t("deleteTitle")} description={t("deleteHint")}>
        <DeleteAccountForm word={confirmWords[locale]} locale={locale} />
      </Section>
    </>
  );
}
