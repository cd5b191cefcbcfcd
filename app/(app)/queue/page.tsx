import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { shareWindowFor } from "@/lib/networks/registry";
import { listMyShares } from "@/lib/shares";
import { instantToLocal } from "@/lib/time";
import { EmptyState, PageHeader, TabNav } from "../../_components/ui";
import { timeZoneOf } from "../time-zone";
import { ShareList } from "./share-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("queue"))("title") };
}

/** Why a share is waiting in the share window instead of going out through the API. */
const budgetCodes = new Set(["api_budget_reached", "api_posting_off"]);

const tabs = {
  scheduled: ["scheduled", "publishing"],
  published: ["published"],
  failed: ["failed", "needs_attention"],
  cancelled: ["cancelled"],
} as const;
type Tab = keyof typeof tabs;

/** The person's shares: waiting (edit, reschedule, cancel), published (with a link), failed (why, and retry). */
export default async function QueuePage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  const ctx = await requireMember(["employee"]);
  const t = await getTranslations("queue");
  const format = await getFormatter();
  const params = await searchParams;
  const tab: Tab = (Object.keys(tabs) as Tab[]).find((k) => k === params.tab) ?? "scheduled";
  const [shares, zone] = await Promise.all([listMyShares(ctx.db, ctx.scope, ctx.userId, [...tabs[tab]]), timeZoneOf(ctx)]);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <TabNav
        label={t("tabs")}
        items={(Object.keys(tabs) as Tab[]).map((key) => ({ key, href: key === "scheduled" ? "/queue" : `/queue?tab=${key}`, label: t(`tab.${key}`), current: key === tab }))}
      />
      {shares.length === 0 ? (
        <EmptyState title={t(`empty.${tab}`)} />
      ) : (
        <ShareList
          timeZone={zone}
          shares={shares.map((s) => ({
            id: s.id,
            storyTitle: s.storyTitle,
            storyLanguage: s.storyLanguage,
            network: s.network,
            mode: s.mode,
            status: s.status,
            text: s.text,
            assisted: s.assisted,
            account: s.accountHandle,
            whenLabel: format.dateTime(s.publishedAt ?? s.scheduledAt, { dateStyle: "medium", timeStyle: "short", timeZone: zone }),
            whenLocal: instantToLocal(s.scheduledAt, zone),
            externalUrl: s.externalUrl,
            errorCode: s.errorCode,
            lastError: s.lastError,
            // Moved to the share window by the organisation's budget for a paid API: one click
            // opens the network's own window with the text (its tracked link in it).
            shareWindowUrl: s.mode === "intent" && s.status === "scheduled" && s.errorCode && budgetCodes.has(s.errorCode) ? shareWindowFor(s.network).url({ url: "", text: s.text }) : null,
          }))}
        />
      )}
    </>
  );
}
