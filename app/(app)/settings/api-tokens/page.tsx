import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { API_TOKEN_DEFAULT_DAYS, apiTokenDayChoices, listApiTokens } from "@/lib/auth/api-tokens";
import { requireMember } from "@/lib/auth/guard";
import { PageHeader } from "../../../_components/ui";
import { withIsoDates } from "../../../_components/wire";
import { ApiTokensManager } from "./api-tokens-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("apiTokens"))("title") };
}

/** The member's own API tokens for /api/v1: make one (shown once), see when each was used, revoke. */
export default async function OwnApiTokensPage() {
  const ctx = await requireMember("any-member");
  const t = await getTranslations("apiTokens");
  const tokens = await listApiTokens(ctx.db, ctx.scope, { userId: ctx.userId });
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <ApiTokensManager
        mode="own"
        dayChoices={apiTokenDayChoices}
        defaultDays={API_TOKEN_DEFAULT_DAYS}
        tokens={tokens.map((row) => withIsoDates(row, ["createdAt", "lastUsedAt", "expiresAt", "revokedAt"]))}
      />
    </>
  );
}
