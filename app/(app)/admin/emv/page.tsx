import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { networkIds } from "@/lib/networks";
import { requireMember } from "@/lib/auth/guard";
import { currentEmvTable, DEFAULT_EMV_TABLE, isDefaultEmvTable, listEmvVersions, type EmvTable } from "@/lib/reach/emv";
import { DataTable } from "../../../_components/data-table";
import { Badge, Card, HistoryCard, HistoryItem, PageHeader } from "../../../_components/ui";
import { EmvForm } from "./emv-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("emv"))("title") };
}

/** The currencies offered: the Nordic and common ones, and the one in use if it is another. */
const commonCurrencies = ["DKK", "EUR", "SEK", "NOK", "ISK", "GBP", "USD", "CHF", "PLN"];

/** The organisation's EMV price table: the formula in plain words, the table to edit, and every version saved. */
export default async function EmvAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("emv");
  const tn = await getTranslations("networks");
  const format = await getFormatter();
  const [table, versions] = await Promise.all([currentEmvTable(ctx.db, ctx.orgId), listEmvVersions(ctx.db, ctx.scope)]);
  const label = t("label", { version: table.version, formula: table.formula });
  const currencies = commonCurrencies.includes(table.currency) ? commonCurrencies : [table.currency, ...commonCurrencies];
  const money = (amount: number, currency: string) => format.number(amount, { style: "currency", currency, maximumFractionDigits: 4 });

  /** A version's prices, folded away under its line in the history. */
  const rates = (v: EmvTable) => (
    <details className="mt-1">
      <summary className="cursor-pointer text-brand-700 underline">{t("showRates")}</summary>
      <DataTable
        className="mt-2"
        rows={networkIds}
        rowKey={(n) => n}
        columns={[
          { key: "network", header: t("network"), rowHeader: true, className: "font-normal text-slate-900", cell: (n) => tn(n) },
          { key: "cpm", header: "CPM", numeric: true, cell: (n) => money(v.rates[n].cpm, v.currency) },
          { key: "cpc", header: "CPC", numeric: true, cell: (n) => money(v.rates[n].cpc, v.currency) },
          { key: "perEngagement", header: t("perEngagement"), numeric: true, cell: (n) => money(v.rates[n].perEngagement, v.currency) },
        ]}
      />
    </details>
  );

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={<Badge tone={isDefaultEmvTable(table) ? "amber" : "blue"}>{t("current", { label })}</Badge>} />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[1fr_22rem]">
        <div className="space-y-6">
          <Card className="space-y-3 text-slate-800">
            <h2 className="text-lg font-semibold text-slate-900">{t("howTitle")}</h2>
            <p>{t("howIntro", { formula: table.formula })}</p>
            <ul className="list-disc space-y-1 pl-6">
              <li>{t("howImpressions")}</li>
              <li>{t("howClicks")}</li>
              <li>{t("howEngagements")}</li>
            </ul>
            <p>{t("howClicksWhy")}</p>
            <p>{t("howNotes")}</p>
          </Card>
          {isDefaultEmvTable(table) ? (
            <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
              {t("defaultsInUse")}
            </p>
          ) : null}
          <EmvForm networks={networkIds} currencies={currencies} initial={{ currency: table.currency, rates: table.rates }} />
        </div>
        <HistoryCard id="emv-history" title={t("historyTitle")} description={versions.length === 0 ? t("noVersions") : t("historyNote")}>
          {versions.map((v) => (
            <HistoryItem key={v.version}>
              <div className="font-medium text-slate-900">
                {t("version", { version: v.version })} · {v.currency}
                {v.version === table.version ? (
                  <>
                    {" "}
                    <Badge tone="blue">{t("label", { version: v.version, formula: v.formula })}</Badge>
                  </>
                ) : null}
              </div>
              <div className="text-slate-700">
                {t("savedBy", {
                  name: v.createdByName ?? v.createdByEmail ?? t("unknownPerson"),
                  date: format.dateTime(v.createdAt, { dateStyle: "medium", timeStyle: "short" }),
                })}
              </div>
              {rates(v)}
            </HistoryItem>
          ))}
          <HistoryItem>
            <div className="font-medium text-slate-900">
              {t("defaultsVersion")} · {DEFAULT_EMV_TABLE.currency}
            </div>
            {rates(DEFAULT_EMV_TABLE)}
          </HistoryItem>
        </HistoryCard>
      </div>
    </>
  );
}
