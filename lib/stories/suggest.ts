import type { Story } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { UnsafeFetchError } from "@/lib/net/safe-fetch";
import { fetchLinkPreview, type LinkPreview } from "@/lib/preview/link-preview";
import type { Scope } from "@/lib/tenant";
import type { DbOrTx } from "@/lib/db";
import { getUser } from "@/lib/users";
import { getOrganizationSettings } from "@/lib/orgs";
import { suggestionSchema } from "./schemas";
import { createStory } from "./write";

/**
 * A link preview for the editor, with a refusal turned into a field error the form can
 * show ("preview.privateAddress" …). A site that is down or slow is a refusal too: the
 * editor can still type the details.
 */
export async function previewForEditor(url: string): Promise<LinkPreview> {
  try {
    return await fetchLinkPreview(url);
  } catch (error) {
    if (error instanceof UnsafeFetchError) {
      throw new DomainError(422, `preview.${error.reason}`, error.message, { canonicalUrl: [`preview.${error.reason}`] });
    }
    throw error;
  }
}

/**
 * An employee suggests a story: a link and a line. It lands in the review queue with the
 * page's title, description and image (fetched SSRF-safe). A link into a private network
 * is refused; a site that does not answer still makes a suggestion, titled by its address.
 */
export async function suggestStory(db: DbOrTx, scope: Scope, raw: unknown): Promise<Story> {
  const { url, note } = suggestionSchema.parse(raw);
  let preview: LinkPreview | null = null;
  try {
    preview = await fetchLinkPreview(url);
  } catch (error) {
    if (!(error instanceof UnsafeFetchError)) throw error;
    if (error.reason !== "timeout" && error.reason !== "unreachable" && error.reason !== "tooLarge") {
      throw new DomainError(422, `preview.${error.reason}`, error.message, { url: [`preview.${error.reason}`] });
    }
  }
  const author = scope.actor.kind === "user" ? await getUser(db, scope.actor.userId) : undefined;
  const language = preview?.language ?? author?.locale ?? (await getOrganizationSettings(db, scope.orgId)).locale;
  return createStory(
    db,
    scope,
    {
      title: (preview?.title ?? new URL(url).hostname).slice(0, 200),
      summary: (preview?.description ?? "").slice(0, 600),
      canonicalUrl: preview?.url ?? url,
      imageUrl: preview?.imageUrl ?? null,
      language,
    },
    { source: "suggestion", status: "in_review", note },
  );
}
