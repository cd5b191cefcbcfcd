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
export async function Figure({ label, value, source, note }: { label: string; value: string; source: FigureSource; note?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm font-medium text-slate-800">{label}</dt>
      <dd className="mt-1">
        <span className="block text-2xl font-semibold tabular-nums text-slate-900">{value}</span>
        <span className="mt-2 block">
          <SourceBadge source={source} />
        </span>
        {note ? <span className="mt-1 block text-xs text-slate-700">{note}</span> : null}
      </dd>
    </div>
  );
}
