import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { countStoriesByStatus, listLibraryStories, storyFilterSchema, storyStatusIds, type StoryFilter, type StoryStatus } from "@/lib/stories";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { listTopics } from "@/lib/topics";
import { DataTable } from "../../_components/data-table";
import { Badge, ButtonLink, EmptyState, FilterBar, FilterField, LanguageOptions, Options, PageHeader, TabNav, inputClass, languageNames } from "../../_components/ui";
import { LibraryNav } from "./library-nav";
import { statusTones } from "./status";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("title") };
}

function href(filter: StoryFilter, change: Partial<StoryFilter>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...change })) if (value) params.set(key, String(value));
  const query = params.toString();
  return query ? `/library?${query}` : "/library";
}

export default async function LibraryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("library");
  const ts = await getTranslations("storyStatus");
  const format = await getFormatter();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  // A malformed filter is dropped rather than failing the page.
  const parsed = storyFilterSchema.safeParse(raw);
  const filter: StoryFilter = parsed.success ? parsed.data : {};
  const [items, counts, topics, teams] = await Promise.all([
    listLibraryStories(ctx.db, ctx.scope, filter),
    countStoriesByStatus(ctx.db, ctx.scope),
    listTopics(ctx.db, ctx.scope),
    listTeams(ctx.db, ctx.scope),
  ]);
  const teamOptions = flattenTeamTree(buildTeamTree(teams));
  const tabs: Array<StoryStatus | undefined> = [undefined, ...storyStatusIds];
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <LibraryNav reviewCount={counts.in_review ?? 0} />
      <TabNav
        label={t("filter")}
        items={tabs.map((tab) => {
          const current = tab === filter.status;
          const n = tab ? (counts[tab] ?? 0) : Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
          return {
            key: tab ?? "all",
            href: href(filter, { status: tab }),
            current,
            label: (
              <>
                {tab ? ts(tab) : t("all")} <span className={current ? "text-white" : "text-slate-700"}>({format.number(n)})</span>
              </>
            ),
          };
        })}
      />
      <FilterBar
        label={t("searchLabel")}
        submitLabel={t("apply")}
        extra={<ButtonLink href={filter.status ? `/library?status=${filter.status}` : "/library"}>{t("clear")}</ButtonLink>}
      >
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        <FilterField label={t("search")} htmlFor="q" wide>
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ""} className={inputClass} />
        </FilterField>
        <FilterField label={t("topic")} htmlFor="topicId">
          <select id="topicId" name="topicId" defaultValue={filter.topicId ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            <Options options={topics} />
          </select>
        </FilterField>
        <FilterField label={t("audience")} htmlFor="teamId">
          <select id="teamId" name="teamId" defaultValue={filter.teamId ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            <Options options={teamOptions} />
          </select>
        </FilterField>
        <FilterField label={t("language")} htmlFor="language">
          <select id="language" name="language" defaultValue={filter.language ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            <LanguageOptions />
          </select>
        </FilterField>
      </FilterBar>
      <DataTable
        caption={t("title")}
        rows={items}
        rowKey={(story) => story.id}
        empty={<EmptyState title={t("empty")} />}
        columns={[
          {
            key: "story",
            header: t("story"),
            cell: (story) => (
              <>
                <Link href={`/library/${story.id}`} className="font-medium text-brand-700 underline" lang={story.language}>
                  {story.title}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1 text-xs text-slate-700">
                  <span>{languageNames[story.language]}</span>
                  {story.pinned ? <Badge tone="blue">{t("pinned")}</Badge> : null}
                  {story.source !== "manual" ? <Badge>{t(`source.${story.source}`)}</Badge> : null}
                  {story.topicNames.map((name) => (
                    <Badge key={name}>{name}</Badge>
                  ))}
                  {story.audienceNames.length > 0 ? <span>{t("for", { teams: story.audienceNames.join(", ") })}</span> : null}
                </div>
              </>
            ),
          },
          { key: "status", header: t("status"), cell: (story) => <Badge tone={statusTones[story.status]}>{ts(story.status)}</Badge> },
          {
            key: "window",
            header: t("window"),
            hideBelow: "sm",
            className: "text-slate-700",
            cell: (story) => (
              <>
                {story.publishAt ? format.dateTime(story.publishAt, { dateStyle: "medium", timeStyle: "short" }) : "—"}
                {story.expiresAt ? ` – ${format.dateTime(story.expiresAt, { dateStyle: "medium" })}` : ""}
              </>
            ),
          },
          { key: "variants", header: t("variants"), hideBelow: "md", className: "text-slate-700", cell: (story) => format.number(story.variantCount) },
          { key: "updated", header: t("updated"), hideBelow: "md", className: "text-slate-700", cell: (story) => format.relativeTime(story.updatedAt) },
        ]}
      />
    </>
  );
}
