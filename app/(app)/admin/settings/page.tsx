import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { getOrganizationSettings } from "@/lib/orgs";
import { PageHeader } from "../../../_components/ui";
import { FeedSettingsForm } from "./feed-settings-form";
import { GovernanceForm } from "./governance-form";
import { PointsForm } from "./points-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.settings"))("title") };
}

export default async function SettingsAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.settings");
  const settings = await getOrganizationSettings(ctx.db, ctx.orgId);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <GovernanceForm approvalRequired={settings.approvalRequired} disclosureHashtag={settings.disclosureHashtag ?? ""} blockedWords={settings.blockedWords} />
      <FeedSettingsForm showColleagueShares={settings.showColleagueShares} />
      <PointsForm points={settings.points} />
    </>
  );
}
