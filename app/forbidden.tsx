import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "./_components/ui";

/** Rendered with HTTP 403 when a signed-in person's roles do not allow the page. */
export default async function Forbidden() {
  const t = await getTranslations("forbidden");
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-lg flex-col items-start justify-center gap-4 px-4">
      <p className="text-sm font-semibold text-brand-700">403</p>
      <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
      <p className="text-slate-700">{t("body")}</p>
      <Link href="/" className={buttonClass("primary")}>
        {t("home")}
      </Link>
    </main>
  );
}
