import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { PageHeader } from "../../../_components/ui";
import { editorContext } from "../editor-data";
import { StoryEditor } from "../story-editor";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("editor"))("newTitle") };
}

export default async function NewStoryPage() {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("editor");
  const data = await editorContext(ctx);
  return (
    <>
      <PageHeader title={t("newTitle")} description={t("newDescription")} />
      <StoryEditor
        {...data.editor}
        initial={{
          title: "",
          summary: "",
          body: "",
          canonicalUrl: "",
          imageUrl: "",
          language: data.settings.locale,
          topicIds: [],
          audienceTeamIds: [],
          publishAt: "",
          expiresAt: "",
          pinned: false,
          variants: [],
        }}
      />
    </>
  );
}
