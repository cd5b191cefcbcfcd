"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import type { Role } from "@/lib/auth/roles";
import type { MemberRow } from "@/lib/members";
import type { TeamNode } from "@/lib/teams";
import { DataTable, type Column } from "../../_components/data-table";
import { FormDialog } from "../../_components/form-dialog";
import { ConfirmDialog } from "../../_components/modal";
import { Badge, Button, CheckboxTile, Field, FormAlert, ManagedList, Options, inputClass } from "../../_components/ui";
import { useNotice, type Report } from "../../_components/use-notice";
import type { IsoDates } from "../../_components/wire";
import { deactivateMemberAction, inviteMemberAction, reactivateMemberAction, reinviteMemberAction, updateMemberAction } from "./actions";
import { InvitationLinks, type IssuedLink } from "./invitation-links";

type TeamOption = Pick<TeamNode, "id" | "name" | "depth">;
type Member = IsoDates<MemberRow, "invitedAt" | "joinedAt">;

function TeamSelect({ id, teams, defaultValue }: { id: string; teams: TeamOption[]; defaultValue?: string | null }) {
  const t = useTranslations("admin.members");
  return (
    <select id={id} name="teamId" defaultValue={defaultValue ?? ""} className={inputClass}>
      <option value="">{t("noTeam")}</option>
      <Options options={teams} />
    </select>
  );
}

function RoleCheckboxes({ roles, defaultRoles, errors }: { roles: readonly Role[]; defaultRoles: Role[]; errors?: string[] }) {
  const tr = useTranslations("roles");
  const t = useTranslations("admin.members");
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-900">{t("roles")}</legend>
      <div className="grid grid-cols-2 gap-2">
        {roles.map((role) => (
          <CheckboxTile key={role} name="roles[]" value={role} defaultChecked={defaultRoles.includes(role)}>
            {tr(role)}
          </CheckboxTile>
        ))}
      </div>
      <FormAlert message={errors} />
    </fieldset>
  );
}

type Invited = { email: string; mailSent: boolean; link: { url: string; expiresAt: string } };

function InviteDialog({ roles, teams, onDone }: { roles: readonly Role[]; teams: TeamOption[]; onDone: (data: Invited) => void }) {
  const t = useTranslations("admin.members");
  const ids = { email: useId(), name: useId(), team: useId() };
  return (
    <FormDialog
      trigger={t("invite")}
      triggerVariant="primary"
      title={t("inviteTitle")}
      description={t("inviteDescription")}
      action={inviteMemberAction}
      onSuccess={onDone}
      submitLabel={t("sendInvite")}
      cancelLabel={t("cancel")}
    >
      {(field) => (
        <>
          <Field label={t("email")} htmlFor={ids.email} errors={field("email")}>
            <input id={ids.email} name="email" type="email" required autoComplete="off" className={inputClass} />
          </Field>
          <Field label={t("name")} htmlFor={ids.name} errors={field("name")}>
            <input id={ids.name} name="name" type="text" autoComplete="off" className={inputClass} />
          </Field>
          <RoleCheckboxes roles={roles} defaultRoles={["employee"]} errors={field("roles")} />
          <Field label={t("team")} htmlFor={ids.team} errors={field("teamId")}>
            <TeamSelect id={ids.team} teams={teams} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

function EditDialog({ member, roles, teams, onDone }: { member: Member; roles: readonly Role[]; teams: TeamOption[]; onDone: (message: string) => void }) {
  const t = useTranslations("admin.members");
  const teamId = useId();
  const name = member.name ?? member.email;
  return (
    <FormDialog
      trigger={t("edit")}
      triggerLabel={t("editLabel", { name })}
      title={t("editTitle", { name })}
      action={updateMemberAction}
      onSuccess={() => onDone(t("saved", { email: member.email }))}
      submitLabel={t("save")}
      cancelLabel={t("cancel")}
    >
      {(field) => (
        <>
          <input type="hidden" name="membershipId" value={member.id} />
          <RoleCheckboxes roles={roles} defaultRoles={member.roles} errors={field("roles")} />
          <Field label={t("team")} htmlFor={teamId} errors={field("teamId")}>
            <TeamSelect id={teamId} teams={teams} defaultValue={member.teamId} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}

/** A fresh invitation link for someone who has not joined yet; the old link stops working. */
function ReinviteButton({ member, onDone, report }: { member: Member; onDone: (data: Invited) => void; report: Report }) {
  const t = useTranslations("admin.members");
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="secondary"
      disabled={pending}
      aria-label={t("reinviteLabel", { name: member.name || member.email })}
      onClick={() =>
        startTransition(async () => {
          const result = await reinviteMemberAction({ membershipId: member.id });
          if (result.ok) onDone(result.data);
          else report(result, "");
        })
      }
    >
      {t("reinvite")}
    </Button>
  );
}

function StatusToggle({ member, isSelf, report }: { member: Member; isSelf: boolean; report: Report }) {
  const t = useTranslations("admin.members");
  const [pending, startTransition] = useTransition();
  const label = member.name ?? member.email;
  if (member.status === "deactivated") {
    return (
      <Button
        variant="secondary"
        disabled={pending}
        aria-label={t("reactivateLabel", { name: label })}
        onClick={() => startTransition(async () => report(await reactivateMemberAction({ membershipId: member.id }), t("reactivated", { email: member.email })))}
      >
        {t("reactivate")}
      </Button>
    );
  }
  if (isSelf) return null;
  return (
    <ConfirmDialog
      trigger={t("deactivate")}
      triggerLabel={t("deactivateLabel", { name: label })}
      title={t("deactivateTitle", { name: label })}
      description={t("deactivateBody")}
      cancelLabel={t("cancel")}
      confirmLabel={t("deactivate")}
      onConfirm={async () => report(await deactivateMemberAction({ membershipId: member.id }), t("deactivated", { email: member.email }))}
    />
  );
}

/** The member list with invite, edit (roles, team) and deactivate/reactivate; `roles` are lib's, in the order offered. */
export function MembersManager({ members, roles, teams, currentUserId }: { members: Member[]; roles: readonly Role[]; teams: TeamOption[]; currentUserId: string }) {
  const t = useTranslations("admin.members");
  const tr = useTranslations("roles");
  const format = useFormatter();
  const [query, setQuery] = useState("");
  const { notify, report, status } = useNotice();
  const [links, setLinks] = useState<IssuedLink[]>([]);
  const invited = (data: Invited, again = false) => {
    notify(again ? t("reinvited", { email: data.email }) : data.mailSent ? t("invited", { email: data.email }) : t("invitedNoMail", { email: data.email }));
    setLinks([{ email: data.email, ...data.link }]);
  };
  const searchId = useId();
  const visible = members.filter((m) => `${m.name ?? ""} ${m.email}`.toLowerCase().includes(query.trim().toLowerCase()));
  const statusTone = { active: "green", invited: "amber", deactivated: "slate" } as const;
  const date = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "medium" });
  const columns: Array<Column<Member>> = [
    {
      key: "person",
      header: t("person"),
      cell: (member) => (
        <>
          <div className="font-medium text-slate-900">{member.name ?? member.email}</div>
          <div className="text-slate-700">{member.email}</div>
        </>
      ),
    },
    {
      key: "roles",
      header: t("roles"),
      cell: (member) => (
        <div className="flex flex-wrap gap-1">
          {member.roles.map((role) => (
            <Badge key={role} tone="blue">
              {tr(role)}
            </Badge>
          ))}
        </div>
      ),
    },
    { key: "team", header: t("team"), hideBelow: "sm", className: "text-slate-800", cell: (member) => member.teamName ?? "—" },
    {
      key: "status",
      header: t("status"),
      hideBelow: "md",
      cell: (member) => (
        <>
          <Badge tone={statusTone[member.status]}>{t(`statuses.${member.status}`)}</Badge>
          <div className="mt-1 text-xs text-slate-700">
            {member.joinedAt ? t("joined", { date: date(member.joinedAt) }) : member.invitedAt ? t("invitedOn", { date: date(member.invitedAt) }) : null}
          </div>
        </>
      ),
    },
    {
      key: "actions",
      header: t("actions"),
      hiddenHeader: true,
      cell: (member) => (
        <div className="flex flex-wrap justify-end gap-2">
          {member.status === "invited" ? <ReinviteButton member={member} onDone={(data) => invited(data, true)} report={report} /> : null}
          {member.status !== "deactivated" ? <EditDialog member={member} roles={roles} teams={teams} onDone={notify} /> : null}
          <StatusToggle member={member} isSelf={member.userId === currentUserId} report={report} />
        </div>
      ),
    },
  ];

  return (
    <ManagedList
      status={status}
      actions={
        <>
          <Field label={t("search")} htmlFor={searchId} className="w-full sm:mr-auto sm:max-w-xs">
            <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} className={inputClass} />
          </Field>
          <InviteDialog roles={roles} teams={teams} onDone={(data) => invited(data)} />
        </>
      }
    >
      <InvitationLinks links={links} onDismiss={() => setLinks([])} />
      <DataTable
        caption={t("title")}
        columns={columns}
        rows={visible}
        rowKey={(member) => member.id}
        rowProps={(member) => ({ "data-testid": `member-${member.email}` })}
      />
    </ManagedList>
  );
}
