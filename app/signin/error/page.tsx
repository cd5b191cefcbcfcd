import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ButtonLink } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("authError"))("title") };
}

const known = ["Verification", "NoMembership", "AccessDenied", "OAuthAccountNotLinked"] as const;

/** Sign-in problems in plain words: an expired or used link, no membership, a refused provider. */
export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const t = await getTranslations("authError");
  const kind = known.find((k) => k === error) ?? "Default";
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">{t(`${kind}.title`)}</h1>
      <p className="text-slate-700">{t(`${kind}.body`)}</p>
      <ButtonLink href="/signin" variant="primary">
        {t("again")}
      </ButtonLink>
    </div>
  );
}
