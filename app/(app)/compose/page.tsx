import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { z } from "zod";
import { getSession, requireMember } from "@/lib/auth/guard";
import { ensureDemoConnection, isDemoConnection } from "@/lib/demo-network";
import { guidelinesStatus } from "@/lib/guidelines";
import { getOrganizationSettings } from "@/lib/orgs";
import { apiBudget } from "@/lib/orgs/api-budget";
import { composeSuggestions, listShareAccounts, nextPlacements, sampleTrackedUrl, suggestShareTime } from "@/lib/shares";
import { feedStory } from "@/lib/stories/feed";
import { instantToLocal } from "@/lib/time";
import type { Locale } from "@/lib/i18n/locales";
import { isConnectable, networkIds } from "@/lib/networks";
import { cardDomain } from "@/lib/networks/appearance";
import { shareWindowFor } from "@/lib/networks/registry";
import { Card, PageHeader } from "../../_components/ui";
import { StoryIntro } from "../../_components/story-intro";
import { requestLocale } from "../../_i18n/locale";
import { timeZoneOf } from "../time-zone";
import { writingExamplesOptIn, writingHelpState } from "@/lib/writing/budget";
import { ComposeForm } from "./compose-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("compose"))("title") };
}

/**
 * Sharing one story: from the person's connected accounts (now or at a time), or through
 * a network's own share window. Reached from the feed and from the digest's "Share" link.
 */
export default async function ComposePage({ searchParams }: { searchParams: Promise<{ story?: string; variant?: string | string[] }> }) {
  const ctx = await requireMember(["employee"]);
  const params = await searchParams;
  const storyId = params.story ?? "";
  if (!z.uuid().safeParse(storyId).success) notFound();
  const here = `/compose?story=${storyId}${typeof params.variant === "string" ? `&variant=${encodeURIComponent(params.variant)}` : ""}`;
  if (!(await guidelinesStatus(ctx.db, ctx.scope, ctx.userId)).accepted) redirect(`/guidelines?next=${encodeURIComponent(here)}`);
  const story = await feedStory(ctx.db, ctx.scope, ctx.userId, storyId);
  if (!story) notFound();

  const t = await getTranslations("compose");
  const format = await getFormatter();
  const locale = await requestLocale();
  await ensureDemoConnection(ctx.db, ctx.scope, ctx.userId);
  const [accounts, settings, zone, session, writing, examples] = await Promise.all([
    listShareAccounts(ctx.db, ctx.scope, ctx.userId),
    getOrganizationSettings(ctx.db, ctx.orgId),
    timeZoneOf(ctx),
    getSession(),
    writingHelpState(ctx.db, ctx.orgId),
    writingExamplesOptIn(ctx.db, ctx.scope, ctx.userId),
  ]);
  const enabled = networkIds.filter((n) => settings.enabledNetworks.includes(n));
  const usable = accounts.filter((a) => isConnectable(a.network) && enabled.includes(a.network) && (a.status === "active" || a.status === "expiring"));
  const connectedNetworks = new Set(usable.map((a) => a.network));
  // X's paid API: whether this month's budget still lets a post through (else its share window).
  const xBudget = usable.some((a) => a.network === "x") ? await apiBudget(ctx.db, ctx.orgId, "x") : null;
  const linkNetworks = enabled.filter((n) => !connectedNetworks.has(n));
  const [suggestions, timeSuggestion, placements] = await Promise.all([
    composeSuggestions(ctx.db, ctx.scope, {
      userId: ctx.userId,
      storyId: story.id,
      networks: [...connectedNetworks, ...linkNetworks],
      languages: [...new Set<Locale>([locale, story.language])],
      // A suggestion chosen in a digest mail or chat message; one that is not this story's is refused.
      variantId: typeof params.variant === "string" ? params.variant : null,
    }),
    suggestShareTime(ctx.db, ctx.scope, ctx.userId, { timeZone: settings.timeZone, windows: settings.defaultShareWindows }),
    // Where the link goes in each connected account's post: the preview draws it so.
    nextPlacements(ctx.db, ctx.scope, settings, story.id, [...connectedNetworks]),
  ]);

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {suggestions.variantRefused ? (
        <p role="status" className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          {t("variantRefused")}
        </p>
      ) : null}
      <Card className="mb-6 flex flex-col gap-2">
        <StoryIntro story={story} />
        {story.canonicalUrl ? (
          <a href={story.canonicalUrl} target="_blank" rel="noreferrer noopener" className="text-sm font-medium text-brand-700 underline">
            {t("readStory")}
          </a>
        ) : null}
      </Card>
      <ComposeForm
        story={{
          storyId: story.id,
          storyUrl: story.canonicalUrl,
          language: story.language,
          writing: writing.configured && writing.settings.enabled ? { available: writing.available, reason: writing.reason === "budget" ? ("budget" as const) : null, examples } : null,
          trackedSample: sampleTrackedUrl(),
          disclosureHashtag: settings.disclosureHashtag,
          authorName: session?.user?.name ?? session?.user?.email ?? "",
          card: { title: story.title, description: story.summary, domain: cardDomain(story.canonicalUrl), image: story.imageKey ? `/media/${story.imageKey}` : null },
        }}
        timeZone={zone}
        spacingMinutes={settings.shareSpacingMinutes}
        accounts={usable.map((account) => ({
          id: account.id,
          network: account.network,
          handle: account.handle,
          displayName: account.displayName,
          demo: isDemoConnection(account),
          expiring: account.status === "expiring",
          viaShareWindow: account.network === "x" && !isDemoConnection(account) && xBudget && !xBudget.canPost ? xBudget.reason : null,
          placement: placements[account.network] ?? "card",
        }))}
        shareLinks={linkNetworks.map((network) => ({ network, asksInstance: shareWindowFor(network).asksInstance ?? false }))}
        suggestions={suggestions.byNetwork}
        timeSuggestion={
          timeSuggestion
            ? {
                local: instantToLocal(timeSuggestion.at, zone),
                label: format.dateTime(timeSuggestion.at, { weekday: "long", hour: "2-digit", minute: "2-digit", timeZone: zone }),
                basis: timeSuggestion.basis,
              }
            : null
        }
        minLocal={instantToLocal(new Date(), zone)}
      />
    </>
  );
}
