import { getTranslations } from "next-intl/server";
import { ButtonLink } from "./ui";
import { VisitorHeader } from "./visitor-header";

/** A whole page that says why there is nothing here (403, 404), with the way back to the start. */
export async function StatusPage({ status, messages }: { status: 403 | 404; messages: "forbidden" | "notFound" }) {
  const t = await getTranslations(messages);
  return (
    <div className="flex min-h-dvh flex-col">
      <VisitorHeader />
      <main id="main" className="mx-auto flex w-full max-w-lg flex-1 flex-col items-start justify-center gap-4 px-4 py-10">
        <p className="text-sm font-semibold text-brand-700">{status}</p>
        <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
        <p className="text-slate-700">{t("body")}</p>
        <ButtonLink href="/" variant="primary">
          {t("home")}
        </ButtonLink>
      </main>
    </div>
  );
}
