import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import type { FigureSource } from "@/lib/me/impact";
import { Badge } from "./ui";

/** Where a number comes from, next to the number: counted, measured (by our links or the networks) or estimated. */
export async function SourceBadge({ source }: { source: FigureSource }) {
  const t = await getTranslations("me.sources");
  const tone = source === "estimate" ? "amber" : source === "counted" ? "slate" : "green";
  return <Badge tone={tone}>{t(source)}</Badge>;
}

/** One headline figure with its label, its source and a line on what it means. */
export async function Figure({ label, value, source, note }: { label: string; value: string; source: FigureSource; note?: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm font-medium text-slate-800">{label}</dt>
      <dd className="mt-1">
        <span className="block text-2xl font-semibold tabular-nums text-slate-900">{value}</span>
        <span className="mt-2 block">
          <SourceBadge source={source} />
        </span>
        {note ? <div className="mt-1 text-xs text-slate-700">{note}</div> : null}
      </dd>
    </div>
  );
}

/** What earned media value means, in words, with the formula and rate version one click away. */
export function EmvExplained({ emv, note }: { emv: { formula: string; version: number; currency: string }; note?: string }) {
  const t = useTranslations("glossary");
  return (
    <>
      <p>{t("emvMeaning")}</p>
      {note ? <p className="mt-1">{note}</p> : null}
      <details className="mt-1">
        <summary className="cursor-pointer font-medium text-brand-700">{t("emvFormula")}</summary>
        <p className="mt-1">{t("emvFormulaDetail", { formula: emv.formula, version: emv.version, currency: emv.currency })}</p>
      </details>
    </>
  );
}
