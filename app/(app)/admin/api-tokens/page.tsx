import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { requireMember } from "@/lib/auth/guard";
import { ButtonLink, PageHeader } from "../../../_components/ui";
import { withIsoDates } from "../../../_components/wire";
import { ApiTokensManager } from "../../settings/api-tokens/api-tokens-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("apiTokens"))("adminTitle") };
}

/** Every API token of the organisation with its owner; an admin revokes any of them at once. */
export default async function AdminApiTokensPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("apiTokens");
  const tokens = await listApiTokens(ctx.db, ctx.scope);
  return (
    <>
      <PageHeader title={t("adminTitle")} description={t("adminDescription")} actions={<ButtonLink href="/settings/api-tokens">{t("ownLink")}</ButtonLink>} />
      <ApiTokensManager mode="organisation" tokens={tokens.map((row) => withIsoDates(row, ["createdAt", "lastUsedAt", "expiresAt", "revokedAt"]))} />
    </>
  );
}
