"use client";

import { useTranslations } from "next-intl";
import { useId, useRef, useState, useTransition } from "react";
import type { ImportPreview, ImportReason, ImportRow } from "@/lib/members/import";
import { DataTable, type Column } from "../../_components/data-table";
import { Button, Card, Field, FormAlert, LiveStatus, inputClass } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { applyImportAction, previewImportAction } from "./actions";
import { InvitationLinks, type IssuedLink } from "./invitation-links";

type Refused = Extract<ImportRow, { kind: "refused" }>;
type Accepted = Exclude<ImportRow, Refused>;
type Applied = { links: IssuedLink[]; csv: string; created: number; changed: number; mailed: number };

function useReason() {
  const t = useTranslations("admin.import.reasons");
  return (reason: ImportReason) =>
    t.has(reason.code) ? t(reason.code, { value: reason.value ?? "" }) : t("other", { value: reason.code });
}

/** What the file would do: a summary, the refused lines with their reasons, then who is invited and changed. */
function PreviewView({ preview }: { preview: ImportPreview }) {
  const t = useTranslations("admin.import");
  const tr = useTranslations("roles");
  const reason = useReason();
  if (preview.fileError) {
    return <FormAlert boxed message={`${t("fileRefused")}: ${reason(preview.fileError)}`} />;
  }
  const refused = preview.rows.filter((r): r is Refused => r.kind === "refused");
  const created = preview.rows.filter((r): r is Extract<Accepted, { kind: "create" }> => r.kind === "create");
  const changed = preview.rows.filter((r): r is Extract<Accepted, { kind: "change" }> => r.kind === "change");
  const lineColumn = { key: "line", header: t("line"), numeric: true, cell: (row: ImportRow) => row.line };
  const emailColumn = { key: "email", header: t("email"), rowHeader: true, className: "break-all", cell: (row: ImportRow) => row.email || "—" };
  const what = (row: Accepted) => [row.name, row.teamPath ?? (row.teamId === null ? t("noTeam") : null), row.roles.map((r) => tr(r)).join(", ")].filter(Boolean).join(" · ");
  const refusedColumns: Array<Column<Refused>> = [lineColumn, emailColumn, { key: "reason", header: t("reason"), cell: (row) => row.reasons.map(reason).join(" ") }];
  const createColumns: Array<Column<Accepted>> = [lineColumn, emailColumn, { key: "what", header: t("what"), cell: what }];
  const changeColumns: Array<Column<Extract<Accepted, { kind: "change" }>>> = [
    lineColumn,
    emailColumn,
    { key: "what", header: t("what"), cell: (row) => `${t("changed", { fields: row.changes.map((c) => t(`changes.${c}`)).join(", ") })}: ${what(row)}` },
  ];
  return (
    <div className="space-y-4" data-testid="import-preview">
      <p className="font-medium text-slate-900">{t("summary", preview.counts)}</p>
      {refused.length > 0 ? <FormAlert boxed message={t("blocked")} /> : preview.canApply ? <p className="text-sm text-slate-700">{t("ready")}</p> : <p className="text-sm text-slate-700">{t("nothingToDo")}</p>}
      {refused.length > 0 ? (
        <section className="space-y-2">
          <h3 className="font-semibold text-slate-900">{t("refusedTitle")}</h3>
          <DataTable caption={t("refusedTitle")} columns={refusedColumns} rows={refused} rowKey={(r) => String(r.line)} />
        </section>
      ) : null}
      {created.length > 0 ? (
        <section className="space-y-2">
          <h3 className="font-semibold text-slate-900">{t("createTitle")}</h3>
          <DataTable caption={t("createTitle")} columns={createColumns} rows={created} rowKey={(r) => String(r.line)} />
        </section>
      ) : null}
      {changed.length > 0 ? (
        <section className="space-y-2">
          <h3 className="font-semibold text-slate-900">{t("changeTitle")}</h3>
          <DataTable caption={t("changeTitle")} columns={changeColumns} rows={changed} rowKey={(r) => String(r.line)} />
        </section>
      ) : null}
    </div>
  );
}

/**
 * Members from a CSV file: choose it, check it (a dry run that writes nothing), then
 * apply. The server checks the file again on apply and applies all of it or nothing.
 */
export function MemberImport({ maxRows, maxBytes }: { maxRows: number; maxBytes: number }) {
  const t = useTranslations("admin.import");
  const reason = useReason();
  const word = useErrorWords();
  const headingId = useId();
  const fileId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [step, setStep] = useState<"check" | "apply" | null>(null);
  const size = `${Math.round(maxBytes / 1024)} KB`;

  const choose = async (file: File | undefined) => {
    setPreview(null);
    setError(null);
    setCsv(null);
    if (!file) return;
    if (file.size > maxBytes) {
      setError(reason({ code: "fileTooLarge", value: size }));
      return;
    }
    setCsv(await file.text());
  };

  const run = (which: "check" | "apply") =>
    startTransition(async () => {
      if (csv === null) {
        setError(word("noFile"));
        return;
      }
      setStep(which);
      setError(null);
      if (which === "check") {
        const result = await previewImportAction({ csv });
        if (result.ok) setPreview(result.data);
        else setError(word(result.error));
        return;
      }
      const result = await applyImportAction({ csv });
      if (!result.ok) return setError(word(result.error));
      if (!result.data.applied) return setPreview(result.data.preview);
      const { created, changed, mailed, csv: linksCsv } = result.data;
      setApplied({ links: created, csv: linksCsv, created: created.length, changed, mailed });
      setPreview(null);
      setCsv(null);
      if (fileInput.current) fileInput.current.value = "";
    });

  return (
    <Card aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="mt-1 max-w-2xl text-sm text-slate-700">{t("description", { rows: maxRows, size })}</p>
        <p className="mt-2 text-sm text-slate-700">
          {t("example")}: <code className="break-all">email,name,team,roles</code>{" "}
          <code className="break-all">ida@example.com,Ida Holm,Salg/Salg Øst,employee;manager</code>
        </p>
      </div>
      <Field label={t("file")} htmlFor={fileId}>
        <input
          id={fileId}
          ref={fileInput}
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => void choose(e.currentTarget.files?.[0])}
          className={`${inputClass} min-w-0`}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" disabled={pending || csv === null} onClick={() => run("check")}>
          {pending && step === "check" ? t("checking") : t("preview")}
        </Button>
        <Button type="button" disabled={pending || !preview?.canApply} onClick={() => run("apply")}>
          {pending && step === "apply" ? t("applying") : t("apply")}
        </Button>
      </div>
      <FormAlert boxed message={error} />
      {preview ? <PreviewView preview={preview} /> : null}
      <LiveStatus
        boxed
        success={
          applied
            ? `${t("applied", { created: applied.created, changed: applied.changed })}${applied.mailed > 0 ? ` ${t("appliedMailed", { count: applied.mailed })}` : ""}`
            : null
        }
      />
      {applied ? <InvitationLinks links={applied.links} csv={applied.csv} onDismiss={() => setApplied(null)} /> : null}
    </Card>
  );
}
