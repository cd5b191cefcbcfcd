import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { networkIds, type NetworkId } from "@/lib/networks";
import { listNotices, noticeLink, noticeMessage } from "@/lib/notifications";
import { ActionForm } from "../../_components/action-form";
import { Button, Card, EmptyState, PageHeader } from "../../_components/ui";
import { markNoticesReadAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("notices"))("title") };
}

/** A person's in-app notices (a withdrawn or expired story, an account to re-connect), newest first. */
export default async function NotificationsPage() {
  const ctx = await requireMember("any-member");
  const t = await getTranslations("notices");
  const format = await getFormatter();
  const networks = await getTranslations("networks");
  const notices = await listNotices(ctx.db, ctx.scope, ctx.userId);
  const unread = notices.filter((n) => !n.readAt).length;
  return (
    <>
      <PageHeader
        title={t("title")}
        description={unread > 0 ? t("unread", { count: unread }) : undefined}
        actions={
          unread > 0 ? (
            <ActionForm action={markNoticesReadAction}>
              <Button type="submit" variant="secondary">
                {t("markRead")}
              </Button>
            </ActionForm>
          ) : undefined
        }
      />
      {notices.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <ul className="grid gap-3">
          {notices.map((notice) => {
            const message = noticeMessage(notice, {
              date: (value) => format.dateTime(value, { dateStyle: "long" }),
              network: (id) => ((networkIds as readonly string[]).includes(id) ? networks(id as NetworkId) : id),
            });
            if (!message) return null;
            const { key, params } = message;
            return (
              <li key={notice.id}>
                <Card className={notice.readAt ? "" : "border-brand-600"}>
                  <h2 className="font-semibold text-slate-900">
                    {notice.readAt ? null : <span className="sr-only">{t("new")} </span>}
                    {t(`${key}.title`, params)}
                  </h2>
                  <p className="mt-1 text-slate-800">{t(`${key}.body`, params)}</p>
                  {key.startsWith("connection.") || key.startsWith("share.") ? (
                    <p className="mt-2">
                      <Link href={noticeLink(key)} className="text-sm font-medium text-brand-700 underline">
                        {t(key.startsWith("share.") ? "openShares" : "reconnect")}
                      </Link>
                    </p>
                  ) : null}
                  <p className="mt-2 text-sm text-slate-700">
                    <time dateTime={notice.createdAt.toISOString()}>{format.dateTime(notice.createdAt, { dateStyle: "medium", timeStyle: "short" })}</time>
                  </p>
                </Card>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
