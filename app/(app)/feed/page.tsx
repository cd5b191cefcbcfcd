import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { listFeedStories } from "@/lib/stories";
import { Badge, Card, EmptyState, PageHeader } from "../../_components/ui";
import { SuggestDialog } from "./suggest-dialog";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("feed"))("title") };
}

export default async function FeedPage() {
  const ctx = await requireMember(["employee"]);
  const t = await getTranslations("feed");
  const format = await getFormatter();
  const items = await listFeedStories(ctx.db, ctx.scope, ctx.userId);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={<SuggestDialog />} />
      {items.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2">
          {items.map((story) => (
            <li key={story.id}>
              <Card className="flex h-full flex-col gap-2">
                <div className="flex flex-wrap items-center gap-2">
                  {story.pinned ? <Badge tone="blue">{t("pinned")}</Badge> : null}
                  <Badge>{story.language === "da" ? "Dansk" : "English"}</Badge>
                </div>
                <h2 className="text-lg font-semibold text-slate-900" lang={story.language}>
                  {story.title}
                </h2>
                <p className="text-slate-700" lang={story.language}>
                  {story.summary}
                </p>
                <p className="mt-auto text-sm text-slate-700">
                  {story.publishAt ? t("published", { date: format.dateTime(story.publishAt, { dateStyle: "medium" }) }) : null}
                  {story.expiresAt ? ` · ${t("expires", { date: format.dateTime(story.expiresAt, { dateStyle: "medium" }) })}` : null}
                </p>
                {story.canonicalUrl ? (
                  <a href={story.canonicalUrl} className="text-sm font-medium text-brand-700 underline" target="_blank" rel="noreferrer noopener">
                    {t("readStory")}
                  </a>
                ) : null}
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
