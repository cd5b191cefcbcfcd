import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { z } from "zod";
import { requireMember } from "@/lib/auth/guard";
import { ensureDemoConnection, isDemoConnection } from "@/lib/demo-network";
import { guidelinesStatus } from "@/lib/guidelines";
import { getOrganizationSettings } from "@/lib/orgs";
import { listShareAccounts, startingVariant, suggestShareTime } from "@/lib/shares";
import { feedStory } from "@/lib/stories/feed";
import { instantToLocal } from "@/lib/time";
import type { Locale } from "@/lib/i18n/locales";
import { isConnectable, networkIds, type NetworkId } from "@/lib/networks";
import { shareWindowFor } from "@/lib/networks/registry";
import { Card, PageHeader } from "../../_components/ui";
import { StoryIntro } from "../../_components/story-intro";
import { requestLocale } from "../../_i18n/locale";
import { timeZoneOf } from "../time-zone";
import { ComposeForm } from "./compose-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compose"))("title") };
}

/**
 * Sharing one story: from the person's connected accounts (now or at a time), or through
 * a network's own share window. Reached from the feed and from the digest's "Share" link.
 */
export default async function ComposePage({ searchParams }: { searchParams: Promise<{ story?: string }> }) {
  const ctx = await requireMember(["employee"]);
  const storyId = (await searchParams).story ?? "";
  if (!z.uuid().safeParse(storyId).success) notFound();
  const here = `/compose?story=${storyId}`;
  if (!(await guidelinesStatus(ctx.db, ctx.scope, ctx.userId)).accepted) redirect(`/guidelines?next=${encodeURIComponent(here)}`);
  const story = await feedStory(ctx.db, ctx.scope, ctx.userId, storyId);
  if (!story) notFound();

  const t = await getTranslations("compose");
  const format = await getFormatter();
  const locale = await requestLocale();
  await ensureDemoConnection(ctx.db, ctx.scope, ctx.userId);
  const [accounts, settings, zone] = await Promise.all([listShareAccounts(ctx.db, ctx.scope, ctx.userId), getOrganizationSettings(ctx.db, ctx.orgId), timeZoneOf(ctx)]);
  const languages = [...new Set<Locale>([locale, story.language])];
  const start = async (network: NetworkId) => {
    const variant = await startingVariant(ctx.db, ctx.scope, { userId: ctx.userId, storyId: story.id, network, languages });
    return variant ?? { variantId: null, text: `${story.title} ${story.canonicalUrl ?? ""}`.trim(), language: story.language };
  };
  const enabled = networkIds.filter((n) => settings.enabledNetworks.includes(n));
  const usable = accounts.filter((a) => isConnectable(a.network) && enabled.includes(a.network) && (a.status === "active" || a.status === "expiring"));
  const connectedNetworks = new Set(usable.map((a) => a.network));
  const [accountStarts, linkStarts, suggestion] = await Promise.all([
    Promise.all(usable.map(async (a) => ({ account: a, start: await start(a.network) }))),
    Promise.all(enabled.filter((n) => !connectedNetworks.has(n)).map(async (network) => ({ network, start: await start(network) }))),
    suggestShareTime(ctx.db, ctx.scope, ctx.userId, { timeZone: settings.timeZone, windows: settings.defaultShareWindows }),
  ]);

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card className="mb-6 flex flex-col gap-2">
        <StoryIntro story={story} />
        {story.canonicalUrl ? (
          <a href={story.canonicalUrl} target="_blank" rel="noreferrer noopener" className="text-sm font-medium text-brand-700 underline">
            {t("readStory")}
          </a>
        ) : null}
      </Card>
      <ComposeForm
        storyId={story.id}
        storyUrl={story.canonicalUrl}
        timeZone={zone}
        disclosureHashtag={settings.disclosureHashtag}
        spacingMinutes={settings.shareSpacingMinutes}
        accounts={accountStarts.map(({ account, start }) => ({
          id: account.id,
          network: account.network,
          handle: account.handle,
          instanceUrl: account.instanceUrl,
          demo: isDemoConnection(account),
          expiring: account.status === "expiring",
          variantId: start.variantId,
          text: start.text,
        }))}
        shareLinks={linkStarts.map(({ network, start }) => ({ network, variantId: start.variantId, text: start.text, asksInstance: shareWindowFor(network).asksInstance ?? false }))}
        suggestion={
          suggestion
            ? {
                local: instantToLocal(suggestion.at, zone),
                label: format.dateTime(suggestion.at, { weekday: "long", hour: "2-digit", minute: "2-digit", timeZone: zone }),
                basis: suggestion.basis,
              }
            : null
        }
        minLocal={instantToLocal(new Date(), zone)}
      />
    </>
  );
}
