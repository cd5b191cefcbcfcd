"use client";

import { AlertDialog, Dialog } from "radix-ui";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useId, useMemo, useState, useTransition } from "react";
import type { Role } from "@/lib/auth/roles";
import { ConfirmContent, ModalContent } from "../../_components/modal";
import { Badge, Button, Field, buttonClass, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { useFormAction } from "../../_components/use-form-action";
import { deactivateMemberAction, inviteMemberAction, reactivateMemberAction, updateMemberAction } from "./actions";

const ROLES: Role[] = ["admin", "editor", "manager", "employee"];

type TeamOption = { id: string; name: string; depth: number };
type Member = {
  id: string;
  userId: string;
  email: string;
  name: string | null;
  roles: Role[];
  status: "invited" | "active" | "deactivated";
  teamId: string | null;
  teamName: string | null;
  invitedAt: string | null;
  joinedAt: string | null;
};

function TeamSelect({ id, teams, defaultValue }: { id: string; teams: TeamOption[]; defaultValue?: string | null }) {
  const t = useTranslations("admin.members");
  return (
    <select id={id} name="teamId" defaultValue={defaultValue ?? ""} className={inputClass}>
      <option value="">{t("noTeam")}</option>
      {teams.map((team) => (
        <option key={team.id} value={team.id}>
          {"\u00a0\u00a0".repeat(team.depth)}
          {team.name}
        </option>
      ))}
    </select>
  );
}

function RoleCheckboxes({ defaultRoles, errors }: { defaultRoles: Role[]; errors?: string[] }) {
  const tr = useTranslations("roles");
  const t = useTranslations("admin.members");
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-900">{t("roles")}</legend>
      <div className="grid grid-cols-2 gap-2">
        {ROLES.map((role) => (
          <label key={role} className="flex min-h-10 items-center gap-2 rounded-md border border-slate-300 px-3 text-sm">
            <input type="checkbox" name="roles[]" value={role} defaultChecked={defaultRoles.includes(role)} className="h-4 w-4" />
            {tr(role)}
          </label>
        ))}
      </div>
      {errors?.length ? (
        <p role="alert" className="text-sm text-red-800">
          {errors.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}

function InviteDialog({ teams, onDone }: { teams: TeamOption[]; onDone: (message: string) => void }) {
  const t = useTranslations("admin.members");
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(inviteMemberAction);
  const feedback = useActionFeedback(state);
  const ids = { email: useId(), name: useId(), team: useId() };
  // Only a new result reports; re-renders (a refreshed translator, say) must not repeat it.
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      onDone(state.data.mailSent ? t("invited", { email: state.data.email }) : t("invitedNoMail", { email: state.data.email }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("primary")}>{t("invite")}</Dialog.Trigger>
      <ModalContent title={t("inviteTitle")} description={t("inviteDescription")}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field label={t("email")} htmlFor={ids.email} errors={feedback.field("email")}>
            <input id={ids.email} name="email" type="email" required autoComplete="off" className={inputClass} />
          </Field>
          <Field label={t("name")} htmlFor={ids.name} errors={feedback.field("name")}>
            <input id={ids.name} name="name" type="text" autoComplete="off" className={inputClass} />
          </Field>
          <RoleCheckboxes defaultRoles={["employee"]} errors={feedback.field("roles")} />
          <Field label={t("team")} htmlFor={ids.team} errors={feedback.field("teamId")}>
            <TeamSelect id={ids.team} teams={teams} />
          </Field>
          {feedback.message ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending}>
              {t("sendInvite")}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

function EditDialog({ member, teams, onDone }: { member: Member; teams: TeamOption[]; onDone: (message: string) => void }) {
  const t = useTranslations("admin.members");
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(updateMemberAction);
  const feedback = useActionFeedback(state);
  const teamId = useId();
  useEffect(() => {
    if (state?.ok) {
      setOpen(false);
      onDone(t("saved", { email: member.email }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass("secondary")} aria-label={t("editLabel", { name: member.name ?? member.email })}>
        {t("edit")}
      </Dialog.Trigger>
      <ModalContent title={t("editTitle", { name: member.name ?? member.email })}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <input type="hidden" name="membershipId" value={member.id} />
          <RoleCheckboxes defaultRoles={member.roles} errors={feedback.field("roles")} />
          <Field label={t("team")} htmlFor={teamId} errors={feedback.field("teamId")}>
            <TeamSelect id={teamId} teams={teams} defaultValue={member.teamId} />
          </Field>
          {feedback.message ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClass("secondary")}>{t("cancel")}</Dialog.Close>
            <Button type="submit" disabled={pending}>
              {t("save")}
            </Button>
          </div>
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}

function StatusToggle({ member, isSelf, onDone }: { member: Member; isSelf: boolean; onDone: (message: string, error?: boolean) => void }) {
  const t = useTranslations("admin.members");
  const te = useTranslations("errors");
  const [pending, startTransition] = useTransition();
  const label = member.name ?? member.email;
  if (member.status === "deactivated") {
    return (
      <Button
        variant="secondary"
        disabled={pending}
        aria-label={t("reactivateLabel", { name: label })}
        onClick={() =>
          startTransition(async () => {
            const result = await reactivateMemberAction({ membershipId: member.id });
            onDone(result.ok ? t("reactivated", { email: member.email }) : te.has(result.error) ? te(result.error) : result.error, !result.ok);
          })
        }
      >
        {t("reactivate")}
      </Button>
    );
  }
  if (isSelf) return null;
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger className={buttonClass("ghost")} aria-label={t("deactivateLabel", { name: label })}>
        {t("deactivate")}
      </AlertDialog.Trigger>
      <ConfirmContent title={t("deactivateTitle", { name: label })} description={t("deactivateBody")}>
            <AlertDialog.Cancel className={buttonClass("secondary")}>{t("cancel")}</AlertDialog.Cancel>
            <AlertDialog.Action
              className={buttonClass("danger")}
              disabled={pending}
              onClick={() =>
                startTransition(async () => {
                  const result = await deactivateMemberAction({ membershipId: member.id });
                  onDone(result.ok ? t("deactivated", { email: member.email }) : te.has(result.error) ? te(result.error) : result.error, !result.ok);
                })
              }
            >
              {t("deactivate")}
            </AlertDialog.Action>
          </ConfirmContent>
    </AlertDialog.Root>
  );
}

/** The member list with invite, edit (roles, team) and deactivate/reactivate. */
export function MembersManager({ members, teams, currentUserId }: { members: Member[]; teams: TeamOption[]; currentUserId: string }) {
  const t = useTranslations("admin.members");
  const tr = useTranslations("roles");
  const format = useFormatter();
  const [query, setQuery] = useState("");
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const searchId = useId();
  const done = useMemo(() => (text: string, error?: boolean) => setNotice({ text, error }), []);
  const visible = members.filter((m) => `${m.name ?? ""} ${m.email}`.toLowerCase().includes(query.trim().toLowerCase()));
  const statusTone = { active: "green", invited: "amber", deactivated: "slate" } as const;

  return (
    <div className="space-y-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div className="w-full sm:max-w-xs">
          <label htmlFor={searchId} className="block text-sm font-medium text-slate-900">
            {t("search")}
          </label>
          <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} className={inputClass} />
        </div>
        <InviteDialog teams={teams} onDone={done} />
      </div>
      <div aria-live="polite">
        {notice ? <p className={notice.error ? "rounded-md bg-red-50 p-3 text-sm text-red-900" : "rounded-md bg-green-50 p-3 text-sm text-green-900"}>{notice.text}</p> : null}
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t("title")}</caption>
          <thead className="bg-slate-50 text-slate-800">
            <tr>
              <th scope="col" className="px-4 py-3 font-semibold">{t("person")}</th>
              <th scope="col" className="px-4 py-3 font-semibold">{t("roles")}</th>
              <th scope="col" className="hidden px-4 py-3 font-semibold sm:table-cell">{t("team")}</th>
              <th scope="col" className="hidden px-4 py-3 font-semibold md:table-cell">{t("status")}</th>
              <th scope="col" className="px-4 py-3 font-semibold">
                <span className="sr-only">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {visible.map((member) => (
              <tr key={member.id} data-testid={`member-${member.email}`}>
                <td className="px-4 py-3">
                  <div className="font-medium text-slate-900">{member.name ?? member.email}</div>
                  <div className="text-slate-700">{member.email}</div>
                </td>
                <td className="px-4 py-3">
                  <div className="flex flex-wrap gap-1">
                    {member.roles.map((role) => (
                      <Badge key={role} tone="blue">
                        {tr(role)}
                      </Badge>
                    ))}
                  </div>
                </td>
                <td className="hidden px-4 py-3 text-slate-800 sm:table-cell">{member.teamName ?? "—"}</td>
                <td className="hidden px-4 py-3 md:table-cell">
                  <Badge tone={statusTone[member.status]}>{t(`statuses.${member.status}`)}</Badge>
                  <div className="mt-1 text-xs text-slate-700">
                    {member.joinedAt
                      ? t("joined", { date: format.dateTime(new Date(member.joinedAt), { dateStyle: "medium" }) })
                      : member.invitedAt
                        ? t("invitedOn", { date: format.dateTime(new Date(member.invitedAt), { dateStyle: "medium" }) })
                        : null}
                  </div>
                </td>
                <td className="px-4 py-3">
                  <div className="flex justify-end gap-2">
                    {member.status !== "deactivated" ? <EditDialog member={member} teams={teams} onDone={done} /> : null}
                    <StatusToggle member={member} isSelf={member.userId === currentUserId} onDone={done} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
