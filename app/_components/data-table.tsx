import clsx from "clsx";
import type { HTMLAttributes, ReactNode } from "react";

export type Column<Row> = {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** A figure: right-aligned, in tabular digits. */
  numeric?: boolean;
  /** The cell that names the row (<th scope="row">). */
  rowHeader?: boolean;
  /** Folded away below this width, so a phone keeps the columns that matter. */
  hideBelow?: "sm" | "md";
  /** A header read out but not shown (a column of buttons). */
  hiddenHeader?: boolean;
  /** Extra classes for this column's cells; on a row header they replace its normal weight. */
  className?: string;
};

const pad = "px-3 py-2";
const folded = { sm: "hidden sm:table-cell", md: "hidden md:table-cell" } as const;

/**
 * The frame every table scrolls in on a narrow screen; focusable, so a keyboard can scroll it too.
 * Positioned, so a visually hidden header (sr-only is absolute) stays inside it rather than widening the page.
 */
export function TableFrame({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <div className={clsx("scroll-cue relative overflow-x-auto rounded-lg border border-slate-200", className)} tabIndex={0}>
      {children}
    </div>
  );
}

/**
 * One table for every list of rows: a caption for screen readers, column headers, and
 * optionally a note spanning the columns from `rowNote(row).from` on (figures withheld).
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
  rowNote,
  empty,
  describedBy,
  className,
}: {
  caption?: string;
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  rowProps?: (row: Row) => HTMLAttributes<HTMLTableRowElement> & { "data-testid"?: string };
  rowNote?: (row: Row) => { from: number; content: ReactNode } | null;
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  describedBy?: string;
  className?: string;
}) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <TableFrame className={className}>
      <table className="w-full text-left text-sm" aria-describedby={describedBy}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="bg-slate-50 text-slate-800">
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={clsx(pad, "font-semibold", column.numeric && "text-right", column.hideBelow && folded[column.hideBelow])}>
                {column.hiddenHeader ? <span className="sr-only">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 align-top">
          {rows.map((row) => {
            const note = rowNote?.(row) ?? null;
            return (
              <tr key={rowKey(row)} {...rowProps?.(row)}>
                {(note ? columns.slice(0, note.from) : columns).map((column) => {
                  const classes = clsx(pad, column.numeric && "text-right tabular-nums", column.hideBelow && folded[column.hideBelow]);
                  return column.rowHeader ? (
                    <th key={column.key} scope="row" className={clsx(classes, column.className ?? "font-normal")}>
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.key} className={clsx(classes, column.className)}>
                      {column.cell(row)}
                    </td>
                  );
                })}
                {note ? (
                  <td colSpan={columns.length - note.from} className={clsx(pad, "text-slate-700")}>
                    {note.content}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}

/** A table behind a "show as a table" switch, under the chart it gives the numbers of. */
export function TableDetails({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <details className="mt-4">
      <summary className="cursor-pointer text-sm font-medium text-brand-700">{summary}</summary>
      <div className="mt-2">{children}</div>
    </details>
  );
}
