"use client";

import { Dialog } from "radix-ui";
import type { ActionResult } from "@/lib/auth/guard";
import { useTranslations } from "next-intl";
import { useEffect, useId, useState, useTransition } from "react";
import { ModalContent } from "../../../_components/modal";
import { Badge, Button, Field, buttonClass, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useFormAction } from "../../../_components/use-form-action";
import { createTeamAction, deleteTeamAction, moveTeamAction, renameTeamAction, setTeamManagersAction } from "../actions";

type TeamRow = { id: string; name: string; parentId: string | null; depth: number; memberCount: number; childCount: number; managerIds: string[] };
type Manager = { userId: string; label: string };
type Notify = (text: string, error?: boolean) => void;

/** One dialog with one form; closes and reports on success, shows the reason on failure. */
function FormDialog<T>({
  trigger,
  triggerLabel,
  title,
  action,
  onSuccess,
  children,
  submitLabel,
}: {
  trigger: string;
  triggerLabel?: string;
  title: string;
  action: (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
  onSuccess: () => void;
  children: (field: (name: string) => string[] | undefined) => React.ReactNode;
  submitLabel: string;
}) {
  const t = useTranslations("admin.teams");
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(action);
  const feedback = useActionFeedback(state);
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      onSuccess();
    }
    // onSuccess changes identity per render; the result is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("secondary")} aria-label={triggerLabel}>
        {trigger}
      </Dialog.Trigger>
      <ModalContent title={title}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {children(feedback.field)}
          {feedback.message ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending}>
              {submitLabel}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

function ParentSelect({ id, teams, exclude, defaultValue }: { id: string; teams: TeamRow[]; exclude?: TeamRow; defaultValue: string | null }) {
  const t = useTranslations("admin.teams");
  // A team cannot move under itself or its own sub-teams.
  const excluded = new Set<string>();
  if (exclude) {
    excluded.add(exclude.id);
    for (const team of teams) if (team.parentId && excluded.has(team.parentId)) excluded.add(team.id);
  }
  return (
    <select id={id} name="parentId" defaultValue={defaultValue ?? ""} className={inputClass}>
      <option value="">{t("topLevel")}</option>
      {teams
        .filter((team) => !excluded.has(team.id))
        .map((team) => (
          <option key={team.id} value={team.id}>
            {"\u00a0\u00a0".repeat(team.depth)}
            {team.name}
          </option>
        ))}
    </select>
  );
}

function TeamActions({ team, teams, managers, notify }: { team: TeamRow; teams: TeamRow[]; managers: Manager[]; notify: Notify }) {
  const t = useTranslations("admin.teams");
  const te = useTranslations("errors");
  const ids = { name: useId(), parent: useId(), child: useId() };
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap justify-end gap-2">
      <FormDialog trigger={t("addSub")} triggerLabel={t("addSubLabel", { name: team.name })} title={t("addSubTitle", { name: team.name })} action={createTeamAction} onSuccess={() => notify(t("created"))} submitLabel={t("create")}>
        {(field) => (
          <>
            <input type="hidden" name="parentId" value={team.id} />
            <Field label={t("name")} htmlFor={ids.child} errors={field("name")}>
              <input id={ids.child} name="name" required className={inputClass} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("rename")} triggerLabel={t("renameLabel", { name: team.name })} title={t("renameTitle", { name: team.name })} action={renameTeamAction} onSuccess={() => notify(t("renamed"))} submitLabel={t("save")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            <Field label={t("name")} htmlFor={ids.name} errors={field("name")}>
              <input id={ids.name} name="name" defaultValue={team.name} required className={inputClass} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("move")} triggerLabel={t("moveLabel", { name: team.name })} title={t("moveTitle", { name: team.name })} action={moveTeamAction} onSuccess={() => notify(t("moved"))} submitLabel={t("save")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            <Field label={t("parent")} htmlFor={ids.parent} errors={field("parentId")}>
              <ParentSelect id={ids.parent} teams={teams} exclude={team} defaultValue={team.parentId} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("managers")} triggerLabel={t("managersLabel", { name: team.name })} title={t("managersTitle", { name: team.name })} action={setTeamManagersAction} onSuccess={() => notify(t("managersSaved"))} submitLabel={t("save")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            {/* An empty value keeps "managers" present when every box is unticked. */}
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">{t("managersLegend")}</legend>
              {managers.length === 0 ? <p className="text-sm text-slate-700">{t("noManagers")}</p> : null}
              {managers.map((m) => (
                <label key={m.userId} className="flex min-h-10 items-center gap-2 rounded-md border border-slate-300 px-3 text-sm">
                  <input type="checkbox" name="managers[]" value={m.userId} defaultChecked={team.managerIds.includes(m.userId)} className="h-4 w-4" />
                  {m.label}
                </label>
              ))}
              {field("managers")?.length ? (
                <p role="alert" className="text-sm text-red-800">
                  {field("managers")!.join(" ")}
                </p>
              ) : null}
            </fieldset>
          </>
        )}
      </FormDialog>
      <Button
        variant="ghost"
        disabled={pending || team.childCount > 0 || team.memberCount > 0}
        aria-label={t("deleteLabel", { name: team.name })}
        title={team.childCount > 0 || team.memberCount > 0 ? t("deleteBlocked") : undefined}
        onClick={() =>
          startTransition(async () => {
            const result = await deleteTeamAction({ teamId: team.id });
            notify(result.ok ? t("deleted", { name: team.name }) : te.has(result.error) ? te(result.error) : result.error, !result.ok);
          })
        }
      >
        {t("delete")}
      </Button>
    </div>
  );
}

/** Teams as an indented tree with add, rename, move, managers and delete. */
export function TeamTree({ teams, managers }: { teams: TeamRow[]; managers: Manager[] }) {
  const t = useTranslations("admin.teams");
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const notify: Notify = (text, error) => setNotice({ text, error });
  const nameId = useId();
  const managerNames = new Map(managers.map((m) => [m.userId, m.label]));
  return (
    <div className="space-y-4">
      <div className="flex justify-end">
        <FormDialog trigger={t("addTop")} title={t("addTopTitle")} action={createTeamAction} onSuccess={() => notify(t("created"))} submitLabel={t("create")}>
          {(field) => (
            <Field label={t("name")} htmlFor={nameId} errors={field("name")}>
              <input id={nameId} name="name" required className={inputClass} />
            </Field>
          )}
        </FormDialog>
      </div>
      <div aria-live="polite">
        {notice ? <p className={notice.error ? "rounded-md bg-red-50 p-3 text-sm text-red-900" : "rounded-md bg-green-50 p-3 text-sm text-green-900"}>{notice.text}</p> : null}
      </div>
      {teams.length === 0 ? <p className="text-slate-700">{t("empty")}</p> : null}
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label={t("title")}>
        {teams.map((team) => (
          <li key={team.id} className="flex flex-col gap-3 px-4 py-3 lg:flex-row lg:items-center lg:justify-between" data-testid={`team-${team.name}`}>
            <div style={{ paddingInlineStart: `${team.depth * 1.5}rem` }}>
              <span className="font-medium text-slate-900">
                {team.depth > 0 ? <span aria-hidden className="mr-1 text-slate-500">└</span> : null}
                {team.name}
              </span>
              <span className="ml-2 text-sm text-slate-700">{t("memberCount", { count: team.memberCount })}</span>
              {team.managerIds.length > 0 ? (
                <span className="ml-2 inline-flex flex-wrap gap-1 align-middle">
                  {team.managerIds.map((id) => (
                    <Badge key={id} tone="blue">
                      {t("managedBy", { name: managerNames.get(id) ?? "?" })}
                    </Badge>
                  ))}
                </span>
              ) : null}
            </div>
            <TeamActions team={team} teams={teams} managers={managers} notify={notify} />
          </li>
        ))}
      </ul>
    </div>
  );
}
