import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { currentGuidelines, guidelinesAcceptance, listGuidelineVersions } from "@/lib/guidelines";
import { Badge, Card, PageHeader } from "../../../_components/ui";
import { GuidelinesForm } from "./guidelines-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.guidelines"))("title") };
}

/** Edit the guidelines (a save is a new version), see who is up to date, and the version history. */
export default async function GuidelinesAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.guidelines");
  const format = await getFormatter();
  const [current, versions, acceptance] = await Promise.all([
    currentGuidelines(ctx.db, ctx.scope),
    listGuidelineVersions(ctx.db, ctx.scope),
    guidelinesAcceptance(ctx.db, ctx.scope),
  ]);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="mb-6 flex flex-wrap items-center gap-3 text-sm text-slate-800">
        <Badge tone="blue">{t("current", { version: current.version })}</Badge>
        {current.isDefault ? <Badge>{t("defaultText")}</Badge> : null}
        <span>{t("acceptance", acceptance)}</span>
      </div>
      {/* Not keyed on the version: after a save the form keeps its text and shows "Saved as version N". */}
      <GuidelinesForm bodyDa={current.bodyDa} bodyEn={current.bodyEn} />
      <Card className="mt-8" aria-labelledby="guidelines-history">
        <h2 id="guidelines-history" className="mb-4 text-lg font-semibold text-slate-900">
          {t("history")}
        </h2>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-slate-800">
              <tr>
                <th scope="col" className="py-2 pr-4 font-semibold">{t("version")}</th>
                <th scope="col" className="py-2 pr-4 font-semibold">{t("savedBy")}</th>
                <th scope="col" className="py-2 pr-4 font-semibold">{t("savedAt")}</th>
                <th scope="col" className="py-2 font-semibold">{t("acknowledgement")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {versions.length === 0 ? (
                <tr>
                  <td className="py-2 pr-4">1</td>
                  <td className="py-2 pr-4">{t("defaultText")}</td>
                  <td className="py-2 pr-4 text-slate-700">{t("notSavedYet")}</td>
                  <td className="py-2">{t("required")}</td>
                </tr>
              ) : (
                versions.map((v) => (
                  <tr key={v.version}>
                    <td className="py-2 pr-4">{v.version}</td>
                    <td className="py-2 pr-4">{v.authorName ?? v.authorEmail ?? (v.version === 1 ? t("defaultText") : "—")}</td>
                    <td className="py-2 pr-4">
                      <time dateTime={v.createdAt.toISOString()}>{format.dateTime(v.createdAt, { dateStyle: "medium", timeStyle: "short" })}</time>
                    </td>
                    <td className="py-2">{v.requiresAcceptance ? t("required") : t("notRequired")}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}
