import { getFormatter, getTranslations } from "next-intl/server";

/** Shown when a report's figures come from a read replica that is a little behind: how current they are. */
export async function FiguresAsOf({ asOf }: { asOf: string | null | undefined }) {
  if (!asOf || Date.now() - Date.parse(asOf) < 5_000) return null;
  const [t, format] = await Promise.all([getTranslations("freshness"), getFormatter()]);
  return (
    <p role="note" className="mb-4 rounded-md bg-slate-50 p-3 text-sm text-slate-800" data-testid="figures-as-of">
      {t("asOf", { time: format.dateTime(new Date(asOf), { dateStyle: "medium", timeStyle: "medium" }) })}
    </p>
  );
}
