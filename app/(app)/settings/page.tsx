import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { isLocale } from "@/lib/i18n/locales";
import { confirmWords } from "@/lib/me/delete-account";
import { requireMember } from "@/lib/auth/guard";
import { getPreferences } from "@/lib/notifications/preferences";
import { getOrganizationSettings } from "@/lib/orgs";
import { getUser } from "@/lib/users";
import { LanguageSwitcher } from "../../_components/language-switcher";
import { Card, PageHeader, buttonClass } from "../../_components/ui";
import { DeleteAccountForm } from "./delete-account-form";
import { NotificationForm } from "./notification-form";
import { ProfileForm } from "./profile-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}

export default async function SettingsPage() {
  const ctx = await requireMember("any-member");
  const t = await getTranslations("settings");
  const [user, org, prefs] = await Promise.all([getUser(ctx.db, ctx.userId), getOrganizationSettings(ctx.db, ctx.orgId), getPreferences(ctx.db, ctx.scope, ctx.userId)]);
  return (
    <>
      <PageHeader title={t("title")} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="language-heading">
          <h2 id="language-heading" className="mb-1 text-lg font-semibold">
            {t("language")}
          </h2>
          <p className="mb-4 text-sm text-slate-700">{t("languageHint")}</p>
          <LanguageSwitcher />
        </Card>
        <Card aria-labelledby="profile-heading">
          <h2 id="profile-heading" className="mb-4 text-lg font-semibold">
            {t("profile")}
          </h2>
          <ProfileForm name={user?.name ?? ""} email={user?.email ?? ""} timeZone={user?.timeZone ?? ""} orgTimeZone={org.timeZone} timeZones={Intl.supportedValuesOf("timeZone")} />
        </Card>
        <Card aria-labelledby="notifications-heading">
          <h2 id="notifications-heading" className="mb-1 text-lg font-semibold">
            {t("notifications.title")}
          </h2>
          <p className="mb-4 text-sm text-slate-700">{t("notifications.hint")}</p>
          <NotificationForm
            weeklyDigest={prefs.weeklyDigest}
            withdrawnMail={prefs.withdrawnMail}
            weeklyReport={prefs.weeklyReport}
            showDigest={ctx.roles.includes("employee")}
            showReport={ctx.roles.includes("manager")}
          />
        </Card>
        <MyDataCards />
      </div>
    </>
  );
}

/** GDPR: download one's data, delete one's account (lib/me/export, lib/me/delete-account). */
async function MyDataCards() {
  const t = await getTranslations("me.data");
  const raw = await getLocale();
  const locale = isLocale(raw) ? raw : "da";
  return (
    <>
      <Card aria-labelledby="export-heading">
        <h2 id="export-heading" className="mb-1 text-lg font-semibold">
          {t("exportTitle")}
        </h2>
        <p className="mb-4 text-sm text-slate-700">{t("exportHint")}</p>
        <a href="/settings/export" download className={buttonClass("secondary")}>
          {t("exportButton")}
        </a>
      </Card>
      <Card aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="mb-1 text-lg font-semibold">
          {t("deleteTitle")}
        </h2>
        <p className="mb-4 text-sm text-slate-700">{t("deleteHint")}</p>
        <DeleteAccountForm word={confirmWords[locale]} locale={locale} />
      </Card>
    </>
  );
}
