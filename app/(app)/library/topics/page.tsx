import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { countStoriesByStatus } from "@/lib/stories";
import { listTopics } from "@/lib/topics";
import { PageHeader } from "../../../_components/ui";
import { LibraryNav } from "../library-nav";
import { TopicList } from "./topic-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("topics") };
}

export default async function TopicsPage() {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("topics");
  const [topics, counts] = await Promise.all([listTopics(ctx.db, ctx.scope), countStoriesByStatus(ctx.db, ctx.scope)]);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <LibraryNav reviewCount={counts.in_review ?? 0} />
      <TopicList topics={topics.map((topic) => ({ id: topic.id, name: topic.name, storyCount: topic.storyCount }))} />
    </>
  );
}
