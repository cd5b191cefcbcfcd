import { getTranslations } from "next-intl/server";
import { ButtonLink } from "../../_components/ui";
import { SubNav } from "../../_components/sub-nav";

/** The library's sections and its main action. */
export async function LibraryNav({ reviewCount }: { reviewCount: number }) {
  const t = await getTranslations("library");
  return (
    <div className="mb-6 flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
      <div className="min-w-0 flex-1">
        <SubNav
          label={t("sections")}
          items={[
            { href: "/library", label: t("title"), exact: true },
            { href: "/library/review", label: reviewCount > 0 ? t("reviewCount", { count: reviewCount }) : t("review") },
            { href: "/library/calendar", label: t("calendar") },
            { href: "/library/topics", label: t("topics") },
            { href: "/library/feeds", label: t("feeds") },
          ]}
        />
      </div>
      <ButtonLink href="/library/new" variant="primary" className="self-start lg:mb-6">
        {t("newStory")}
      </ButtonLink>
    </div>
  );
}
