import { getFormatter, getTranslations } from "next-intl/server";

/**
 * "Figures as of <time>" when a report's figures come from a read replica that is a little
 * behind; null when they are current. A function the page awaits (not an async component):
 * the pages render in tests with renderToStaticMarkup, which takes no async children.
 */
export async function figuresAsOf(asOf: string | null | undefined): Promise<string | null> {
  if (!asOf || Date.now() - Date.parse(asOf) < 5_000) return null;
  const [t, format] = await Promise.all([getTranslations("freshness"), getFormatter()]);
  return t("asOf", { time: format.dateTime(new Date(asOf), { dateStyle: "medium", timeStyle: "medium" }) });
}

export function FiguresAsOf({ label }: { label: string | null }) {
  if (!label) return null;
  return (
    <p role="note" className="mb-4 rounded-md bg-slate-50 p-3 text-sm text-slate-800" data-testid="figures-as-of">
      {label}
    </p>
  );
}
