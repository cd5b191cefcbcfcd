import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { currentGuidelines, guidelinesStatus } from "@/lib/guidelines";
import { Markdown } from "../../_components/markdown";
import { ButtonLink, Card, PageHeader } from "../../_components/ui";
import { requestLocale } from "../../_i18n/locale";
import { AcceptForm } from "./accept-form";
import { continueTo } from "./next-path";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("guidelines"))("title") };
}

/**
 * The organisation's social-media guidelines in the reader's language, and the
 * acknowledgement when the reader is not up to date. `?next=/path` (same site only) is
 * where the reader goes afterwards: compose sends people here before their first share.
 */
export default async function GuidelinesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireMember("any-member");
  const t = await getTranslations("guidelines");
  const locale = await requestLocale();
  const next = continueTo((await searchParams).next);
  const [guidelines, status] = await Promise.all([currentGuidelines(ctx.db, ctx.scope), guidelinesStatus(ctx.db, ctx.scope, ctx.userId)]);
  const body = locale === "en" ? guidelines.bodyEn : guidelines.bodyDa;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {status.accepted ? null : (
        <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="status">
          {t("mustAccept")}
        </p>
      )}
      <Card className="max-w-3xl">
        <p className="mb-4 text-sm text-slate-700">{t("version", { version: guidelines.version })}</p>
        <Markdown source={body} lang={locale} />
      </Card>
      <div className="mt-6 max-w-3xl">
        {status.accepted ? (
          <div className="flex flex-wrap items-center gap-4">
            <p className="text-sm text-green-900">{t("accepted")}</p>
            {next ? (
              <ButtonLink href={next} variant="primary">
                {t("continue")}
              </ButtonLink>
            ) : null}
          </div>
        ) : (
          <AcceptForm version={guidelines.version} next={next} />
        )}
      </div>
    </>
  );
}
