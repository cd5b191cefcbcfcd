import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { requireMember } from "@/lib/auth/guard";
import { sharedLink } from "@/lib/stories/shared-link";
import { FormAlert, PageHeader } from "../../_components/ui";
import { SuggestForm } from "./suggest-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("feed.suggest"))("title") };
}

const sharedSchema = z.object({
  title: z.string().max(2048).optional().catch(undefined),
  text: z.string().max(4096).optional().catch(undefined),
  url: z.string().max(4096).optional().catch(undefined),
});

/**
 * The Web Share Target (app/manifest.ts): a page shared from the phone's share sheet opens
 * "Suggest a story" with its link filled in; a link Ripple will not take is refused here with
 * the reason, as the suggestion itself would be.
 */
export default async function SharedSuggestionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireMember(["employee"]);
  const t = await getTranslations("shareTarget");
  const tSuggest = await getTranslations("feed.suggest");
  const tPreview = await getTranslations("errors.preview");
  const raw = await searchParams;
  const shared = sharedSchema.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const link = shared.url || shared.text || shared.title ? await sharedLink(shared) : null;
  const refusal = link && "refused" in link ? (link.refused === "noLink" ? t("noLink") : t("refused", { reason: tPreview(link.refused) })) : null;
  return (
    <>
      <PageHeader title={tSuggest("title")} description={link ? t("description") : tSuggest("description")} />
      <div className="max-w-xl space-y-4">
        <FormAlert boxed message={refusal} />
        <SuggestForm url={link && !("refused" in link) ? link.url : ""} />
      </div>
    </>
  );
}
