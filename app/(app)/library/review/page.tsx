import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { countStoriesByStatus, listReviewQueue } from "@/lib/stories";
import { Badge, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { LibraryNav } from "../library-nav";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("review") };
}

/** Stories waiting for an editor's approval, oldest first, employees' suggestions marked. */
export default async function ReviewPage() {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("library");
  const format = await getFormatter();
  const [queue, counts] = await Promise.all([listReviewQueue(ctx.db, ctx.scope), countStoriesByStatus(ctx.db, ctx.scope)]);
  return (
    <>
      <PageHeader title={t("review")} description={t("reviewDescription")} />
      <LibraryNav reviewCount={counts.in_review ?? 0} />
      {queue.length === 0 ? (
        <EmptyState title={t("reviewEmpty")} />
      ) : (
        <ul className="grid gap-3">
          {queue.map((story) => (
            <li key={story.id}>
              <Card className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
                <div>
                  <Link href={`/library/${story.id}`} className="font-medium text-brand-700 underline" lang={story.language}>
                    {story.title}
                  </Link>
                  <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-700">
                    {story.source === "suggestion" ? <Badge tone="amber">{t("source.suggestion")}</Badge> : null}
                    <span>{story.authorName ?? "—"}</span>
                    <span>· {t("waitingSince", { time: format.relativeTime(story.waitingSince) })}</span>
                  </div>
                </div>
                <Link href={`/library/${story.id}`} className="text-sm font-medium text-brand-700 underline">
                  {t("openToReview")}
                </Link>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
