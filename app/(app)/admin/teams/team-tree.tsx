"use client";

import { useTranslations } from "next-intl";
import { useId, useTransition } from "react";
import type { TeamNode } from "@/lib/teams";
import { FormDialog } from "../../../_components/form-dialog";
import { Badge, Button, CheckboxTile, Field, FormAlert, LiveStatus, ManagedList, Options, inputClass } from "../../../_components/ui";
import { useNotice, type Notify, type Report } from "../../../_components/use-notice";
import { createTeamAction, deleteTeamAction, moveTeamAction, renameTeamAction, setTeamManagersAction } from "../actions";

type TeamRow = Pick<TeamNode, "id" | "name" | "parentId" | "depth" | "memberCount" | "managerIds"> & { childCount: number };
type Manager = { userId: string; label: string };

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
      <Options options={teams.filter((team) => !excluded.has(team.id))} />
    </select>
  );
}

function TeamActions({ team, teams, managers, notify, report }: { team: TeamRow; teams: TeamRow[]; managers: Manager[]; notify: Notify; report: Report }) {
  const t = useTranslations("admin.teams");
  const ids = { name: useId(), parent: useId(), child: useId() };
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap justify-end gap-2">
      <FormDialog trigger={t("addSub")} triggerLabel={t("addSubLabel", { name: team.name })} title={t("addSubTitle", { name: team.name })} action={createTeamAction} onSuccess={() => notify(t("created"), false, team.id)} submitLabel={t("create")} cancelLabel={t("cancel")}>
        {(field) => (
          <>
            <input type="hidden" name="parentId" value={team.id} />
            <Field label={t("name")} htmlFor={ids.child} errors={field("name")}>
              <input id={ids.child} name="name" required className={inputClass} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("rename")} triggerLabel={t("renameLabel", { name: team.name })} title={t("renameTitle", { name: team.name })} action={renameTeamAction} onSuccess={() => notify(t("renamed"), false, team.id)} submitLabel={t("save")} cancelLabel={t("cancel")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            <Field label={t("name")} htmlFor={ids.name} errors={field("name")}>
              <input id={ids.name} name="name" defaultValue={team.name} required className={inputClass} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("move")} triggerLabel={t("moveLabel", { name: team.name })} title={t("moveTitle", { name: team.name })} action={moveTeamAction} onSuccess={() => notify(t("moved"), false, team.id)} submitLabel={t("save")} cancelLabel={t("cancel")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            <Field label={t("parent")} htmlFor={ids.parent} errors={field("parentId")}>
              <ParentSelect id={ids.parent} teams={teams} exclude={team} defaultValue={team.parentId} />
            </Field>
          </>
        )}
      </FormDialog>
      <FormDialog trigger={t("managers")} triggerLabel={t("managersLabel", { name: team.name })} title={t("managersTitle", { name: team.name })} action={setTeamManagersAction} onSuccess={() => notify(t("managersSaved"), false, team.id)} submitLabel={t("save")} cancelLabel={t("cancel")}>
        {(field) => (
          <>
            <input type="hidden" name="teamId" value={team.id} />
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">{t("managersLegend")}</legend>
              {managers.length === 0 ? <p className="text-sm text-slate-700">{t("noManagers")}</p> : null}
              {managers.map((m) => (
                <CheckboxTile key={m.userId} name="managers[]" value={m.userId} defaultChecked={team.managerIds.includes(m.userId)}>
                  {m.label}
                </CheckboxTile>
              ))}
              <FormAlert message={field("managers")} />
            </fieldset>
          </>
        )}
      </FormDialog>
      <Button
        variant="ghost"
        disabled={pending || team.childCount > 0 || team.memberCount > 0}
        aria-label={t("deleteLabel", { name: team.name })}
        title={team.childCount > 0 || team.memberCount > 0 ? t("deleteBlocked") : undefined}
        onClick={() => startTransition(async () => report(await deleteTeamAction({ teamId: team.id }), t("deleted", { name: team.name })))}
      >
        {t("delete")}
      </Button>
    </div>
  );
}

/** Teams as an indented tree with add, rename, move, managers and delete. */
export function TeamTree({ teams, managers }: { teams: TeamRow[]; managers: Manager[] }) {
  const t = useTranslations("admin.teams");
  const { notify, report, status, statusAt } = useNotice();
  const nameId = useId();
  const managerNames = new Map(managers.map((m) => [m.userId, m.label]));
  return (
    <ManagedList
      status={status}
      actions={
        <FormDialog trigger={t("addTop")} title={t("addTopTitle")} action={createTeamAction} onSuccess={() => notify(t("created"))} submitLabel={t("create")} cancelLabel={t("cancel")}>
          {(field) => (
            <Field label={t("name")} htmlFor={nameId} errors={field("name")}>
              <input id={nameId} name="name" required className={inputClass} />
            </Field>
          )}
        </FormDialog>
      }
    >
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
              <LiveStatus className="mt-1" {...statusAt(team.id)} />
            </div>
            <TeamActions team={team} teams={teams} managers={managers} notify={notify} report={report} />
          </li>
        ))}
      </ul>
    </ManagedList>
  );
}
