import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "./_components/ui";

export default async function NotFound() {
  const t = await getTranslations("notFound");
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-lg flex-col items-start justify-center gap-4 px-4">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
      <p className="text-slate-700">{t("body")}</p>
      <Link href="/" className={buttonClass("primary")}>
        {t("home")}
      </Link>
    </main>
  );
}
