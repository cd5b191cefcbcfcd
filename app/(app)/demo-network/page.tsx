import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { demoNetworkEnabled, demoTimeline } from "@/lib/demo-network";
import { Card, EmptyState, PageHeader } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("demoNetwork"))("title") };
}

/** The local demo network's timeline: what demo employees shared, kept on this machine. */
export default async function DemoNetworkPage() {
  const ctx = await requireMember("any-member");
  if (!(await demoNetworkEnabled(ctx.db, ctx.scope))) notFound();
  const t = await getTranslations("demoNetwork");
  const format = await getFormatter();
  const posts = await demoTimeline(ctx.db, ctx.scope);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {posts.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <ol className="grid grid-cols-1 gap-3">
          {posts.map((post) => (
            <li key={post.id} id={post.id} className="min-w-0">
              <Card>
                <p className="text-sm text-slate-700">
                  <span className="font-medium text-slate-900">{post.author}</span> · <time dateTime={post.createdAt.toISOString()}>{format.dateTime(post.createdAt, { dateStyle: "medium", timeStyle: "short" })}</time>
                </p>
                <p className="mt-2 whitespace-pre-wrap text-slate-900 [overflow-wrap:anywhere]">{post.text}</p>
              </Card>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
