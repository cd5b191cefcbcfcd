import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { feedQuerySchema, listFeed, visitFeed } from "@/lib/stories/feed";
import { listTopics } from "@/lib/topics";
import { Badge, ButtonLink, Card, EmptyState, FilterBar, FilterField, LanguageOptions, Options, PageHeader, inputClass, languageNames } from "../../_components/ui";
import { StoryIntro } from "../../_components/story-intro";
import { SuggestDialog } from "./suggest-dialog";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("feed"))("title") };
}

/**
 * The stories for this employee, pinned first then newest, a page at a time. The first
 * page marks the visit; stories that went live since the visit before are marked new.
 */
export default async function FeedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireMember(["employee"]);
  const t = await getTranslations("feed");
  const format = await getFormatter();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  // A malformed filter or cursor shows the first page rather than an error.
  const parsed = feedQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : feedQuerySchema.parse({});
  const firstPage = !query.cursor;
  const [{ items, nextCursor }, topics, previousVisit] = await Promise.all([
    listFeed(ctx.db, ctx.scope, ctx.userId, query),
    listTopics(ctx.db, ctx.scope),
    firstPage ? visitFeed(ctx.db, ctx.scope, ctx.userId) : Promise.resolve(null),
  ]);
  const since = firstPage ? previousVisit : raw.since ? new Date(raw.since) : null;
  const isNew = (liveAt: Date) => Boolean(since && !Number.isNaN(since.getTime()) && liveAt > since);
  const newCount = items.filter((s) => isNew(s.liveAt)).length;
  const more = new URLSearchParams();
  if (query.topicId) more.set("topicId", query.topicId);
  if (query.language) more.set("language", query.language);
  if (nextCursor) more.set("cursor", nextCursor);
  if (since) more.set("since", since.toISOString());
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
        <EmptyState title={t("empty")} />
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2">
          {items.map((story) => (
            <li key={story.id}>
              <Card className="flex h-full flex-col gap-2">
                <div className="flex flex-wrap items-center gap-2">
                  {isNew(story.liveAt) ? <Badge tone="amber">{t("new")}</Badge> : null}
                  {story.pinned ? <Badge tone="blue">{t("pinned")}</Badge> : null}
                  <Badge>{languageNames[story.language]}</Badge>
                </div>
                <StoryIntro story={story} />
                <p className="mt-auto text-sm text-slate-700">
                  {t("published", { date: format.dateTime(story.liveAt, { dateStyle: "medium" }) })}
                  {story.expiresAt ? ` · ${t("expires", { date: format.dateTime(story.expiresAt, { dateStyle: "medium" }) })}` : null}
                </p>
                <div className="flex flex-wrap items-center gap-3">
                  <ButtonLink href={`/compose?story=${story.id}`} variant="primary" aria-label={t("shareLabel", { title: story.title })}>
                    {t("share")}
                  </ButtonLink>
                  {story.canonicalUrl ? (
                    <a href={story.canonicalUrl} className="text-sm font-medium text-brand-700 underline" target="_blank" rel="noreferrer noopener">
                      {t("readStory")}
                    </a>
                  ) : null}
                </div>
              </Card>
            </li>
          ))}
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
