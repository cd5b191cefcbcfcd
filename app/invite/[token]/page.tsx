import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { db } from "@/lib/db";
import { inspectInvitationLink } from "@/lib/members/invitation-links";
import { ActionForm } from "../../_components/action-form";
import { Button } from "../../_components/ui";
import { acceptInvitation } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  // The token is in the address: never pass it on to another site, never index it.
  return { title: (await getTranslations("invitation"))("title"), referrer: "no-referrer", robots: { index: false, follow: false } };
}

/**
 * Where an invitation link lands. Opening it changes nothing (mail scanners open links
 * too); the person signs in with the button. A used, expired or replaced link says so
 * and names whom to ask for a new one.
 */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("invitation");
  const format = await getFormatter();
  const info = await inspectInvitationLink(db(), token);

  if (info.state === "valid") {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold text-slate-900">{t("heading", { org: info.orgName })}</h1>
        <p className="text-slate-700">{info.inviterName ? t("introBy", { name: info.inviterName, org: info.orgName }) : t("intro", { org: info.orgName })}</p>
        <p className="text-sm break-words text-slate-700">{t("as", { email: info.email })}</p>
        <ActionForm action={acceptInvitation}>
          <input type="hidden" name="token" value={token} />
          <Button type="submit" className="w-full">
            {t("accept", { org: info.orgName })}
          </Button>
        </ActionForm>
        <p className="text-sm text-slate-700">{t("once", { date: format.dateTime(info.expiresAt, { dateStyle: "long" }) })}</p>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">{t("invalidTitle")}</h1>
      <p className="text-slate-700">
        {info.state === "expired"
          ? t("expired", { date: format.dateTime(info.expiresAt, { dateStyle: "long" }) })
          : t(info.state)}
      </p>
      {info.state === "unknown" ? (
        <p className="text-slate-700">{t("askInviter")}</p>
      ) : (
        <p className="text-slate-700">
          {info.admins.length > 0
            ? t("askAdmins", { org: info.orgName, names: format.list(info.admins, { type: "conjunction" }) })
            : t("askInviter")}
        </p>
      )}
      {info.state === "used" ? <p className="text-sm text-slate-700">{t("usedSignIn")}</p> : null}
      <Link href="/signin" className="inline-block text-sm font-medium text-brand-700 underline">
        {t("toSignIn")}
      </Link>
    </div>
  );
}
