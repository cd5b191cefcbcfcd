import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { getOrganizationSettings } from "@/lib/orgs";
import { listOrgNetworkApps, redirectUriFor } from "@/lib/connections";
import { apiBudget } from "@/lib/orgs/api-budget";
import { writingHelpState } from "@/lib/writing/budget";
import { PageHeader } from "../../../_components/ui";
import { FeedSettingsForm } from "./feed-settings-form";
import { GovernanceForm } from "./governance-form";
import { LinkPlacementForm } from "./link-placement-form";
import { PointsForm } from "./points-form";
import { ThreadsAppForm } from "./threads-app-form";
import { WritingHelpForm } from "./writing-help-form";
import { XApiForm } from "./x-api-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.settings"))("title") };
}

export default async function SettingsAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.settings");
  const [settings, x, apps, writing] = await Promise.all([
    getOrganizationSettings(ctx.db, ctx.orgId),
    apiBudget(ctx.db, ctx.orgId, "x").then((state) => state!),
    listOrgNetworkApps(ctx.db, ctx.orgId),
    writingHelpState(ctx.db, ctx.orgId),
  ]);
  const tw = await getTranslations("admin.writingHelp");
  const threadsApp = apps.find((app) => app.network === "threads");
  const tx = await getTranslations("admin.xApi");
  const format = await getFormatter();
  const money = (value: number) => format.number(value, { style: "currency", currency: x.pricing.currency, maximumFractionDigits: 3 });
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <GovernanceForm approvalRequired={settings.approvalRequired} disclosureHashtag={settings.disclosureHashtag ?? ""} blockedWords={settings.blockedWords} />
      <FeedSettingsForm showColleagueShares={settings.showColleagueShares} />
      <PointsForm points={settings.points} />
      <LinkPlacementForm initial={settings.linkPlacement} />
      <WritingHelpForm
        initial={settings.writingHelp}
        model={writing.model}
        usage={
          (writing.remaining === null ? tw("usageNoCap", { used: writing.used }) : tw("usage", { used: writing.used, cap: writing.settings.monthlyRequests!, remaining: writing.remaining })) +
          (writing.reason === "off" ? ` ${tw("stateOff")}` : writing.reason === "budget" ? ` ${tw("stateSpent")}` : "")
        }
      />
      <ThreadsAppForm initial={threadsApp ? { clientId: threadsApp.clientId } : null} redirectUri={redirectUriFor("threads")} />
      <XApiForm
        initial={settings.xApi}
        published={{ ...x.pricing, currency: x.pricing.currency, asOf: format.dateTime(new Date(x.pricing.asOf), { dateStyle: "long" }) }}
        usage={
          x.amount === null
            ? tx("usageNoCap", { posts: x.used.posts, reads: x.used.reads, spent: money(x.used.spent) })
            : tx(x.kind === "posts" ? "usagePosts" : "usageMoney", { posts: x.used.posts, reads: x.used.reads, spent: money(x.used.spent), amount: x.kind === "posts" ? x.amount : money(x.amount), remaining: x.kind === "posts" ? x.remaining! : money(x.remaining!) }) +
              (x.canPost ? "" : ` ${tx(x.reason === "off" ? "stateOff" : "stateSpent")}`)
        }
      />
    </>
  );
}
