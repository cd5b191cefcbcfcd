import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { chatWebhookKinds, listChatWebhooks } from "@/lib/webhooks/manage";
import { PageHeader } from "../../../_components/ui";
import { withIsoDates } from "../../../_components/wire";
import { WebhooksManager } from "./webhooks-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.webhooks"))("title") };
}

/** Slack and Teams channels that hear about every new story. */
export default async function WebhooksAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.webhooks");
  const hooks = await listChatWebhooks(ctx.db, ctx.scope);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <WebhooksManager
        kinds={chatWebhookKinds}
        webhooks={hooks.map((h) => withIsoDates(h, ["lastDeliveryAt", "createdAt"]))}
      />
    </>
  );
}
