import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("checkEmail"))("title") };
}

/** Shown after any address is submitted, member or not, so nobody learns who has an account. */
export default async function CheckEmailPage() {
  const t = await getTranslations("checkEmail");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
      <p className="text-slate-700">{t("body")}</p>
      <p className="text-sm text-slate-700">{t("hint")}</p>
      <Link href="/signin" className="inline-block text-sm font-medium text-brand-700 underline">
        {t("back")}
      </Link>
    </div>
  );
}
