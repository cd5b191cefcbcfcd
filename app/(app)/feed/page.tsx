import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { listConnections } from "@/lib/connections";
import { feedQuerySchema, listFeedCards, visitFeed, type FeedCard } from "@/lib/stories/feed";
import { listTopicNames } from "@/lib/topics";
import { Badge, ButtonLink, EmptyState, FilterBar, FilterField, LanguageOptions, Options, PageHeader, inputClass, languageNames } from "../../_components/ui";
import { StoryImage, StoryIntro } from "../../_components/story-intro";
import { SuggestDialog } from "./suggest-dialog";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("feed"))("title") };
}

/** The site a story comes from, as people say it: "nordlys.example", not "https://www.nordlys.example/…". */
function sourceDomain(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return null;
  }
}

/**
 * The stories for this employee, pinned first then newest, a page at a time, each card led
 * by its picture. The first page marks the visit; stories that went live since the visit
 * before are marked new.
 */
export default async function FeedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireMember(["employee"]);
  const t = await getTranslations("feed");
  const networkNames = await getTranslations("networks");
  const format = await getFormatter();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  // A malformed filter or cursor shows the first page rather than an error.
  const parsed = feedQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : feedQuerySchema.parse({});
  const firstPage = !query.cursor;
  const [{ items, nextCursor }, topics, previousVisit] = await Promise.all([
    listFeedCards(ctx.db, ctx.scope, ctx.userId, query),
    listTopicNames(ctx.db, ctx.scope),
    firstPage ? visitFeed(ctx.db, ctx.scope, ctx.userId) : Promise.resolve(null),
  ]);
  const topicNames = new Map(topics.map((topic) => [topic.id, topic.name]));
  const since = firstPage ? previousVisit : raw.since ? new Date(raw.since) : null;
  const isNew = (liveAt: Date) => Boolean(since && !Number.isNaN(since.getTime()) && liveAt > since);
  const newCount = items.filter((s) => isNew(s.liveAt)).length;
  const filtered = Boolean(query.topicId || query.language || query.cursor);
  // Only an empty feed asks about accounts: a hint to connect one while there is nothing to share.
  const connected = items.length === 0 && !filtered ? (await listConnections(ctx.db, ctx.scope, ctx.userId)).length > 0 : true;
  const more = new URLSearchParams();
  if (query.topicId) more.set("topicId", query.topicId);
  if (query.language) more.set("language", query.language);
  if (nextCursor) more.set("cursor", nextCursor);
  if (since) more.set("since", since.toISOString());
  const shortDate = (date: Date) => format.dateTime(date, { day: "numeric", month: "short" });
  const networksOf = (card: FeedCard) => format.list((card.myShare?.networks ?? []).map((n) => networkNames(n)), { type: "conjunction" });
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={<SuggestDialog />} />
      <FilterBar label={t("filters")} submitLabel={t("filter")}>
        <FilterField label={t("topic")} htmlFor="topicId">
          <select id="topicId" name="topicId" defaultValue={query.topicId ?? ""} className={inputClass}>
            <option value="">{t("allTopics")}</option>
            <Options options={topics} />
          </select>
        </FilterField>
        <FilterField label={t("language")} htmlFor="language">
          <select id="language" name="language" defaultValue={query.language ?? ""} className={inputClass}>
            <option value="">{t("allLanguages")}</option>
            <LanguageOptions />
          </select>
        </FilterField>
      </FilterBar>
      {firstPage && since && newCount > 0 ? (
        <p className="mb-4 rounded-md bg-brand-50 p-3 text-sm text-brand-800">{t("newSince", { count: newCount, date: format.dateTime(since, { dateStyle: "medium", timeStyle: "short" }) })}</p>
      ) : null}
      {items.length === 0 ? (
        filtered ? (
          <EmptyState title={t("emptyFiltered")}>
            <p>{t("emptyFilteredHint")}</p>
            <p className="mt-3">
              <ButtonLink href="/feed">{t("clearFilters")}</ButtonLink>
            </p>
          </EmptyState>
        ) : (
          <EmptyState title={t("empty")}>
            <p>{t("emptyHint")}</p>
            {connected ? null : (
              <p className="mt-3">
                {t("emptyConnect")}{" "}
                <Link href="/connections" className="font-medium text-brand-700 underline">
                  {t("connectAccounts")}
                </Link>
              </p>
            )}
          </EmptyState>
        )
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {items.map((story, index) => {
            const domain = sourceDomain(story.canonicalUrl);
            const storyTopics = story.topicIds.map((id) => topicNames.get(id)).filter((name): name is string => Boolean(name));
            return (
              <li key={story.id}>
                <article className="flex h-full flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
                  <StoryImage story={story} alt={t("imageAlt", { title: story.title })} eager={index < 2} />
                  <div className="flex flex-1 flex-col gap-2 p-4">
                    <div className="flex flex-wrap items-center gap-2">
                      {isNew(story.liveAt) ? <Badge tone="amber">{t("new")}</Badge> : null}
                      {story.pinned ? <Badge tone="blue">{t("pinned")}</Badge> : null}
                    </div>
                    <StoryIntro story={story} clamp />
                    <ul aria-label={t("chips")} className="flex flex-wrap gap-1.5">
                      <li>
                        <Badge>{languageNames[story.language]}</Badge>
                      </li>
                      {storyTopics.map((name) => (
                        <li key={name}>
                          <Badge>{name}</Badge>
                        </li>
                      ))}
                    </ul>
                    <p className="mt-auto pt-1 text-sm text-slate-700">
                      {domain ? <span className="font-medium text-slate-800">{domain}</span> : null}
                      {domain ? " · " : null}
                      {t("published", { date: format.dateTime(story.liveAt, { dateStyle: "medium" }) })}
                      {story.expiresAt ? ` · ${t("expires", { date: format.dateTime(story.expiresAt, { dateStyle: "medium" }) })}` : null}
                    </p>
                    {story.myShare ? (
                      <p className="text-sm font-medium text-green-800">
                        {t(story.myShare.status === "published" ? "sharedByYou" : "scheduledByYou", { networks: networksOf(story), date: shortDate(story.myShare.at) })}
                      </p>
                    ) : null}
                    {story.colleagues ? <p className="text-sm text-slate-700">{t("colleaguesShared", { count: story.colleagues })}</p> : null}
                    <div className="flex flex-wrap items-center gap-3 pt-1">
                      <ButtonLink href={`/compose?story=${story.id}`} variant="primary" aria-label={t("shareLabel", { title: story.title })}>
                        {t("share")}
                      </ButtonLink>
                      {story.canonicalUrl ? (
                        <a href={story.canonicalUrl} className="text-sm font-medium text-brand-700 underline" target="_blank" rel="noreferrer noopener">
                          {t("readStory")}
                        </a>
                      ) : null}
                    </div>
                  </div>
                </article>
              </li>
            );
          })}
        </ul>
      )}
      {nextCursor ? (
        <div className="mt-6 flex justify-center">
          <ButtonLink href={`/feed?${more.toString()}`}>{t("more")}</ButtonLink>
        </div>
      ) : null}
    </>
  );
}
