import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { SubNav } from "../../_components/sub-nav";

/** Every admin page requires the admin role; the pages check it again themselves. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requireMember(["admin"]);
  const t = await getTranslations("admin");
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
          { href: "/admin/audit", label: t("audit.title") },
        ]}
      />
      {children}
    </>
  );
}
