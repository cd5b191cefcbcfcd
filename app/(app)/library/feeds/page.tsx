import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { listFeeds } from "@/lib/import";
import { PageHeader } from "../../../_components/ui";
import { FeedList } from "./feed-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("feeds"))("title") };
}

export default async function FeedsPage() {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("feeds");
  const format = await getFormatter();
  const feeds = await listFeeds(ctx.db, ctx.scope);
  const now = new Date();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/library" className="text-brand-700 underline">
          <span aria-hidden>← </span>
          {t("backToLibrary")}
        </Link>
      </p>
      <PageHeader title={t("title")} description={t("description")} />
      <FeedList
        feeds={feeds.map((feed) => ({
          id: feed.id,
          title: feed.title ?? new URL(feed.url).hostname,
          url: feed.url,
          active: feed.active,
          lastError: feed.lastError,
          importedCount: feed.importedCount,
          lastPolledAt: feed.lastPolledAt?.toISOString() ?? null,
          lastPolledLabel: feed.lastPolledAt ? format.relativeTime(feed.lastPolledAt, now) : null,
        }))}
      />
    </>
  );
}
