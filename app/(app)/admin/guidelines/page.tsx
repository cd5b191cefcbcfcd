import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { currentGuidelines, guidelinesAcceptance, listGuidelineVersions } from "@/lib/guidelines";
import { DataTable } from "../../../_components/data-table";
import { Badge, PageHeader, Section } from "../../../_components/ui";
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
      <Section card id="guidelines-history" title={t("history")} className="mt-8">
        {/* Before the first save, one row (null) stands for the built-in text as version 1. */}
        <DataTable
          rows={versions.length === 0 ? [null] : versions}
          rowKey={(v) => String(v?.version ?? 1)}
          columns={[
            { key: "version", header: t("version"), cell: (v) => v?.version ?? 1 },
            { key: "savedBy", header: t("savedBy"), cell: (v) => (v ? (v.authorName ?? v.authorEmail ?? (v.version === 1 ? t("defaultText") : "—")) : t("defaultText")) },
            {
              key: "savedAt",
              header: t("savedAt"),
              cell: (v) =>
                v ? (
                  <time dateTime={v.createdAt.toISOString()}>{format.dateTime(v.createdAt, { dateStyle: "medium", timeStyle: "short" })}</time>
                ) : (
                  <span className="text-slate-700">{t("notSavedYet")}</span>
                ),
            },
            { key: "acknowledgement", header: t("acknowledgement"), cell: (v) => (!v || v.requiresAcceptance ? t("required") : t("notRequired")) },
          ]}
        />
      </Section>
    </>
  );
}
