import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { z } from "zod";
import { requireMember } from "@/lib/auth/guard";
import { DomainError } from "@/lib/errors";
import { getStory, storyHistory } from "@/lib/stories";
import { instantToLocal } from "@/lib/time";
import { Markdown } from "../../../_components/markdown";
import { Badge, Card, HistoryCard, HistoryItem, PageHeader } from "../../../_components/ui";
import { editorContext } from "../editor-data";
import { StoryEditor } from "../story-editor";
import { statusTones } from "../status";
import { StoryActions } from "./story-actions";

async function load(id: string) {
  const ctx = await requireMember(["editor"]);
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    return { ctx, story: await getStory(ctx.db, ctx.scope, id) };
  } catch (error) {
    if (error instanceof DomainError && error.status === 404) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { story } = await load((await params).id);
  return { title: story.title };
}

export default async function StoryPage({ params }: { params: Promise<{ id: string }> }) {
  const { ctx, story } = await load((await params).id);
  const t = await getTranslations("storyPage");
  const ts = await getTranslations("storyStatus");
  const format = await getFormatter();
  const [data, history] = await Promise.all([editorContext(ctx), storyHistory(ctx.db, ctx.scope, story.id)]);
  const ownStory = story.createdBy === ctx.userId;
  return (
    <>
      <nav aria-label={t("breadcrumb")} className="mb-2 text-sm">
        <Link href="/library" className="text-brand-700 underline">
          {t("backToLibrary")}
        </Link>
      </nav>
      <PageHeader
        title={story.title}
        description={[
          story.authorName ? t("by", { name: story.authorName }) : null,
          story.publishAt ? t("publishAt", { date: format.dateTime(story.publishAt, { dateStyle: "medium", timeStyle: "short" }) }) : null,
          story.expiresAt ? t("expiresAt", { date: format.dateTime(story.expiresAt, { dateStyle: "medium", timeStyle: "short" }) }) : null,
        ]
          .filter(Boolean)
          .join(" · ")}
        actions={
          <>
            <Badge tone={statusTones[story.status]}>{ts(story.status)}</Badge>
            <Link href={`/library/${story.id}/analytics`} className="text-sm text-brand-700 underline">
              {(await getTranslations("storyAnalytics"))("link")}
            </Link>
          </>
        }
      />
      <StoryActions
        storyId={story.id}
        status={story.status}
        ownStory={ownStory}
        approvalRequired={data.settings.approvalRequired}
        publishAtLabel={story.publishAt ? format.dateTime(story.publishAt, { dateStyle: "medium", timeStyle: "short" }) : null}
      />
      <div className="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-[1fr_20rem]">
        <div>
          {story.status === "archived" ? (
            <Card className="space-y-3">
              <p className="text-slate-700">{t("archivedReadOnly")}</p>
              {story.summary ? <p className="font-medium text-slate-900">{story.summary}</p> : null}
              {story.body ? <Markdown source={story.body} lang={story.language} /> : null}
            </Card>
          ) : (
            <StoryEditor
              storyId={story.id}
              {...data.editor}
              initial={{
                title: story.title,
                summary: story.summary,
                body: story.body,
                canonicalUrl: story.canonicalUrl ?? "",
                imageUrl: story.imageUrl ?? "",
                language: story.language,
                topicIds: story.topicIds,
                audienceTeamIds: story.audienceTeamIds,
                publishAt: story.publishAt ? instantToLocal(story.publishAt, data.timeZone) : "",
                expiresAt: story.expiresAt ? instantToLocal(story.expiresAt, data.timeZone) : "",
                pinned: story.pinned,
                variants: story.variants.map((v) => ({ key: v.id, network: v.network, language: v.language, text: v.text, assisted: v.assisted })),
              }}
            />
          )}
        </div>
        <HistoryCard id="history-heading" title={t("history")}>
          {history.map((step) => (
            <HistoryItem key={step.id}>
              <div className="font-medium text-slate-900">{ts(step.toStatus)}</div>
              <div className="text-slate-700">
                {step.actorName ?? step.actorEmail ?? t("system")} · <time dateTime={step.createdAt.toISOString()}>{format.dateTime(step.createdAt, { dateStyle: "medium", timeStyle: "short" })}</time>
              </div>
              {step.note ? <p className="mt-1 text-slate-800">{t.has(`notes.${step.note}`) ? t(`notes.${step.note}`) : step.note}</p> : null}
            </HistoryItem>
          ))}
        </HistoryCard>
      </div>
    </>
  );
}
