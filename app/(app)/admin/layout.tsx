import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { isOperator } from "@/lib/ops/operators";
import { SubNav } from "../../_components/sub-nav";

/** Every admin page requires the admin role; the pages check it again themselves. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const member = await requireMember(["admin"]);
  const t = await getTranslations("admin");
  const operator = await isOperator(member.db, member.userId);
  return (
    <>
      <SubNav
        label={t("sections")}
        items={[
          { href: "/admin", label: t("members.title"), exact: true },
          { href: "/admin/teams", label: t("teams.title") },
          { href: "/admin/settings", label: t("settings.title") },
          { href: "/admin/guidelines", label: t("guidelines.title") },
          { href: "/admin/webhooks", label: t("webhooks.title") },
          { href: "/admin/directory", label: t("directory.nav") },
          { href: "/admin/emv", label: (await getTranslations("emv"))("nav") },
          { href: "/admin/api-tokens", label: (await getTranslations("apiTokens"))("nav") },
          { href: "/admin/audit", label: t("audit.title") },
          { href: "/admin/publishing", label: (await getTranslations("publishingHealth"))("nav") },
          // The queue dashboard spans every organisation: only for those who run the installation.
          // Not a page of this app: a plain link (see LinkItem.document).
          ...(operator ? [{ href: "/admin/queues", label: t("queues.title"), document: true }] : []),
        ]}
      />
      {children}
    </>
  );
}
