import clsx from "clsx";
import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { countStoriesByStatus, listLibraryStories, storyFilterSchema, storyStatusIds, type StoryFilter, type StoryStatus } from "@/lib/stories";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { listTopics } from "@/lib/topics";
import { Badge, EmptyState, PageHeader, buttonClass, inputClass } from "../../_components/ui";
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
      <nav aria-label={t("filter")} className="mb-4 overflow-x-auto">
        <ul className="flex gap-1">
          {tabs.map((tab) => {
            const current = tab === filter.status;
            const n = tab ? (counts[tab] ?? 0) : Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
            return (
              <li key={tab ?? "all"}>
                <Link
                  href={href(filter, { status: tab })}
                  aria-current={current ? "page" : undefined}
                  className={clsx("block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium", current ? "bg-brand-600 text-white" : "text-slate-800 hover:bg-slate-100")}
                >
                  {tab ? ts(tab) : t("all")} <span className={current ? "text-white" : "text-slate-700"}>({format.number(n)})</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <form method="get" role="search" aria-label={t("searchLabel")} className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-5">
        {filter.status ? <input type="hidden" name="status" value={filter.status} /> : null}
        <div className="lg:col-span-2">
          <label htmlFor="q" className="block text-sm font-medium text-slate-900">
            {t("search")}
          </label>
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ""} className={inputClass} />
        </div>
        <div>
          <label htmlFor="topicId" className="block text-sm font-medium text-slate-900">
            {t("topic")}
          </label>
          <select id="topicId" name="topicId" defaultValue={filter.topicId ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            {topics.map((topic) => (
              <option key={topic.id} value={topic.id}>
                {topic.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="teamId" className="block text-sm font-medium text-slate-900">
            {t("audience")}
          </label>
          <select id="teamId" name="teamId" defaultValue={filter.teamId ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            {teamOptions.map((team) => (
              <option key={team.id} value={team.id}>
                {"\u00a0\u00a0".repeat(team.depth)}
                {team.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="language" className="block text-sm font-medium text-slate-900">
            {t("language")}
          </label>
          <select id="language" name="language" defaultValue={filter.language ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            <option value="da">Dansk</option>
            <option value="en">English</option>
          </select>
        </div>
        <div className="flex gap-2 sm:col-span-2 lg:col-span-5">
          <button type="submit" className={buttonClass("primary")}>
            {t("apply")}
          </button>
          <Link href={filter.status ? `/library?status=${filter.status}` : "/library"} className={buttonClass("secondary")}>
            {t("clear")}
          </Link>
        </div>
      </form>
      {items.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("title")}</caption>
            <thead className="bg-slate-50 text-slate-800">
              <tr>
                <th scope="col" className="px-4 py-3 font-semibold">{t("story")}</th>
                <th scope="col" className="px-4 py-3 font-semibold">{t("status")}</th>
                <th scope="col" className="hidden px-4 py-3 font-semibold sm:table-cell">{t("window")}</th>
                <th scope="col" className="hidden px-4 py-3 font-semibold md:table-cell">{t("variants")}</th>
                <th scope="col" className="hidden px-4 py-3 font-semibold md:table-cell">{t("updated")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {items.map((story) => (
                <tr key={story.id}>
                  <td className="px-4 py-3">
                    <Link href={`/library/${story.id}`} className="font-medium text-brand-700 underline" lang={story.language}>
                      {story.title}
                    </Link>
                    <div className="mt-1 flex flex-wrap gap-1 text-xs text-slate-700">
                      <span>{story.language === "da" ? "Dansk" : "English"}</span>
                      {story.pinned ? <Badge tone="blue">{t("pinned")}</Badge> : null}
                      {story.source !== "manual" ? <Badge>{t(`source.${story.source}`)}</Badge> : null}
                      {story.topicNames.map((name) => (
                        <Badge key={name}>{name}</Badge>
                      ))}
                      {story.audienceNames.length > 0 ? <span>{t("for", { teams: story.audienceNames.join(", ") })}</span> : null}
                    </div>
                  </td>
                  <td className="px-4 py-3">
                    <Badge tone={statusTones[story.status]}>{ts(story.status)}</Badge>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-700 sm:table-cell">
                    {story.publishAt ? format.dateTime(story.publishAt, { dateStyle: "medium", timeStyle: "short" }) : "—"}
                    {story.expiresAt ? ` – ${format.dateTime(story.expiresAt, { dateStyle: "medium" })}` : ""}
                  </td>
                  <td className="hidden px-4 py-3 text-slate-700 md:table-cell">{format.number(story.variantCount)}</td>
                  <td className="hidden px-4 py-3 text-slate-700 md:table-cell">{format.relativeTime(story.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
