import clsx from "clsx";
import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { countStoriesByStatus, listLibraryStories, storyStatusIds, type StoryStatus } from "@/lib/stories";
import { Badge, EmptyState, PageHeader } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("title") };
}

const tones = { draft: "slate", in_review: "amber", approved: "blue", published: "green", archived: "slate" } as const;

export default async function LibraryPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("library");
  const ts = await getTranslations("storyStatus");
  const format = await getFormatter();
  const requested = (await searchParams).status;
  const status = storyStatusIds.find((s) => s === requested);
  const [items, counts] = await Promise.all([listLibraryStories(ctx.db, ctx.scope, { status }), countStoriesByStatus(ctx.db, ctx.scope)]);
  const tabs: Array<StoryStatus | undefined> = [undefined, ...storyStatusIds];
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <nav aria-label={t("filter")} className="mb-4 overflow-x-auto">
        <ul className="flex gap-1">
          {tabs.map((tab) => {
            const current = tab === status;
            const n = tab ? (counts[tab] ?? 0) : Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
            return (
              <li key={tab ?? "all"}>
                <Link
                  href={tab ? `/library?status=${tab}` : "/library"}
                  aria-current={current ? "page" : undefined}
                  className={clsx(
                    "block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium",
                    current ? "bg-brand-600 text-white" : "text-slate-800 hover:bg-slate-100",
                  )}
                >
                  {tab ? ts(tab) : t("all")} <span className={current ? "text-white" : "text-slate-700"}>({format.number(n)})</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
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
                    <span className="font-medium text-slate-900" lang={story.language}>
                      {story.title}
                    </span>
                  </td>
                  <td className="px-4 py-3">
                    <Badge tone={tones[story.status]}>{ts(story.status)}</Badge>
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
