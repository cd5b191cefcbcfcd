import { getTranslations } from "next-intl/server";
import { getSession, requireMember } from "@/lib/auth/guard";
import { sections, visibleSections } from "@/lib/auth/roles";
import { countUnreadNotices } from "@/lib/notifications";
import { AppNav } from "../_components/app-nav";
import { ServiceWorker } from "../_components/service-worker";
import { signOutAction, switchOrganizationAction } from "./actions";

/** The signed-in shell: navigation by role, then the page. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requireMember("any-member");
  const session = await getSession();
  const t = await getTranslations("nav");
  const unread = await countUnreadNotices(ctx.db, ctx.scope, ctx.userId);
  // Every member has their own impact and the leaderboard, whatever their roles.
  const items = [
    ...visibleSections(ctx.roles).map((id) => ({ href: sections[id].path, label: t(id) })),
    { href: "/impact", label: t("impact") },
    { href: "/leaderboard", label: t("leaderboard") },
  ];
  const notices = { href: "/notifications", label: unread > 0 ? t("noticesUnread", { count: unread }) : t("notices") };

  return (
    <>
      <AppNav
        items={items}
        notices={notices}
        orgName={ctx.orgName}
        userLabel={session?.user?.name ?? session?.user?.email ?? ""}
        organizations={session?.organizations ?? []}
        currentOrgId={ctx.orgId}
        signOut={signOutAction}
        switchOrganization={switchOrganizationAction}
      />
      <ServiceWorker />
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        {children}
      </main>
    </>
  );
}
