"use client";

import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Tabs } from "radix-ui";
import { useId, useRef, useState, useTransition } from "react";
import type { Locale } from "@/lib/i18n/locales";
import type { NetworkId } from "@/lib/networks";
import type { VariantInput } from "@/lib/stories";
import type { TeamNode } from "@/lib/teams";
import type { TopicWithCount } from "@/lib/topics";
import { CountedText, useLiveCheck, useProblemWords } from "../../_components/counted-text";
import { Markdown } from "../../_components/markdown";
import { Badge, Button, CheckboxField, CheckboxTile, Field, FormAlert, LanguageOptions, LiveStatus, Section, inputClass } from "../../_components/ui";
import { useActionFeedback, useErrorWords } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { checkTextAction, previewLinkAction, saveStoryAction } from "./actions";
import { SuggestTexts, type WritingHelpOffer } from "./suggest-texts";

export type EditorVariant = VariantInput & { key: string };
export type EditorStory = {
  title: string;
  summary: string;
  body: string;
  canonicalUrl: string;
  imageUrl: string;
  language: Locale;
  topicIds: string[];
  audienceTeamIds: string[];
  /** Wall-clock "YYYY-MM-DDTHH:mm" in the editor's time zone, or "". */
  publishAt: string;
  expiresAt: string;
  pinned: boolean;
  variants: EditorVariant[];
};

let keySeq = 0;
const newKey = () => `v${Date.now().toString(36)}${(keySeq++).toString(36)}`;

function VariantRow({
  variant,
  onChange,
  onRemove,
  errors,
  link,
}: {
  variant: EditorVariant;
  onChange: (v: EditorVariant) => void;
  onRemove: () => void;
  errors?: string[];
  link: { url: string; title: string; imageUrl: string };
}) {
  const t = useTranslations("editor");
  const tn = useTranslations("networks");
  // Counted on the server with the same code the API and the publisher use.
  const check = useLiveCheck(checkTextAction, variant.text.trim() ? { network: variant.network, text: variant.text } : null);
  const problemWords = useProblemWords();
  const tw = useTranslations("writing");
  const ids = { text: useId(), lang: useId() };
  return (
    <div className="grid gap-3 rounded-md border border-slate-200 p-3 lg:grid-cols-2" data-testid={`variant-${variant.network}`}>
      <div className="min-w-0 space-y-2">
        <div className="flex items-end gap-2">
          <Field label={t("variantLanguage")} htmlFor={ids.lang} className="w-36">
            <select id={ids.lang} value={variant.language} onChange={(e) => onChange({ ...variant, language: e.target.value as Locale })} className={inputClass}>
              <LanguageOptions />
            </select>
          </Field>
          {variant.assisted ? <Badge tone="slate">{tw("assisted")}</Badge> : null}
          <Button type="button" variant="ghost" className="ml-auto" onClick={onRemove} aria-label={t("removeVariant", { network: tn(variant.network) })}>
            {t("remove")}
          </Button>
        </div>
        <CountedText
          id={ids.text}
          label={t("variantText", { network: tn(variant.network) })}
          value={variant.text}
          onChange={(text) => onChange({ ...variant, text })}
          lang={variant.language}
          className="font-normal"
          counter={check ? t(`counter.${check.unit === "weighted" ? "weighted" : check.unit === "graphemes" ? "graphemes" : "characters"}`, { network: tn(variant.network), length: check.length, limit: check.limit }) : t("counterEmpty")}
          over={check ? !check.ok : false}
          problems={[...problemWords(check), ...(errors ?? [])]}
        />
      </div>
      <figure className="min-w-0 rounded-md bg-slate-50 p-3 text-sm [overflow-wrap:anywhere]" aria-label={t("postPreview", { network: tn(variant.network) })}>
        <figcaption className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-700">{t("postPreview", { network: tn(variant.network) })}</figcaption>
        <p className="whitespace-pre-wrap text-slate-900" lang={variant.language}>
          {check?.text ?? variant.text}
        </p>
        {link.url ? (
          <div className="mt-3 overflow-hidden rounded border border-slate-200 bg-white">
            {link.imageUrl ? <img src={link.imageUrl} alt="" className="max-h-40 w-full object-cover" /> : null}
            <div className="p-2">
              <p className="text-xs text-slate-700">{safeHost(link.url)}</p>
              <p className="font-medium text-slate-900">{link.title}</p>
            </div>
          </div>
        ) : null}
      </figure>
    </div>
  );
}

function safeHost(url: string) {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

type TeamOption = Pick<TeamNode, "id" | "name" | "depth" | "parentId">;

/**
 * The audience picker: the team tree as nested lists of checkboxes, each team's sub-teams in a
 * list under it (named "Sub-teams of …"), in the depth-first order `teams` comes in.
 */
function AudienceTree({ teams, parentId, checked, onToggle }: { teams: TeamOption[]; parentId: string | null; checked: string[]; onToggle: (id: string) => void }) {
  const t = useTranslations("editor");
  const known = new Set(teams.map((team) => team.id));
  const level = teams.filter((team) => (parentId === null ? team.parentId === null || !known.has(team.parentId) : team.parentId === parentId));
  const parent = parentId === null ? undefined : teams.find((team) => team.id === parentId);
  if (level.length === 0) return null;
  return (
    <ul className={parent ? "ms-4 border-s border-slate-200 ps-2" : "mt-2 space-y-1"} aria-label={parent ? t("audienceSubTeams", { name: parent.name }) : undefined}>
      {level.map((team) => (
        <li key={team.id}>
          <label className="flex min-h-10 items-center gap-2 rounded-md px-2 text-sm">
            <input type="checkbox" checked={checked.includes(team.id)} onChange={() => onToggle(team.id)} className="h-4 w-4" />
            {team.name}
          </label>
          <AudienceTree teams={teams} parentId={team.id} checked={checked} onToggle={onToggle} />
        </li>
      ))}
    </ul>
  );
}
type TopicOption = Pick<TopicWithCount, "id" | "name">;

/**
 * The story editor: link and preview, content (Markdown with a live preview), topics and
 * audience, the publish window in the editor's time zone, and suggested share texts per
 * network with a live counter and a preview of the post.
 */
export function StoryEditor({
  storyId,
  initial,
  topics,
  teams,
  timeZone,
  disclosureHashtag,
  networks,
  writingHelp,
}: {
  storyId?: string;
  initial: EditorStory;
  topics: TopicOption[];
  teams: TeamOption[];
  timeZone: string;
  disclosureHashtag: string | null;
  /** The networks a story can suggest texts for, in the order they are offered. */
  networks: readonly NetworkId[];
  /** The organisation's writing help, when the server has a model (else no button at all). */
  writingHelp: WritingHelpOffer | null;
}) {
  const t = useTranslations("editor");
  const tw = useTranslations("writing");
  const word = useErrorWords();
  const tn = useTranslations("networks");
  const router = useRouter();
  const [story, setStory] = useState<EditorStory>(initial);
  const { result, pending: saving, run } = useAction(saveStoryAction);
  const [notice, setNotice] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [fetching, startFetching] = useTransition();
  const [uploading, setUploading] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const feedback = useActionFeedback(result);
  const ids = {
    url: useId(),
    title: useId(),
    summary: useId(),
    body: useId(),
    language: useId(),
    image: useId(),
    file: useId(),
    publishAt: useId(),
    expiresAt: useId(),
    pinned: useId(),
  };
  const set = <K extends keyof EditorStory>(key: K, value: EditorStory[K]) => setStory((s) => ({ ...s, [key]: value }));
  const toggle = (key: "topicIds" | "audienceTeamIds", value: string) =>
    setStory((s) => ({ ...s, [key]: s[key].includes(value) ? s[key].filter((v) => v !== value) : [...s[key], value] }));

  const fetchPreview = () =>
    startFetching(async () => {
      setPreviewError(null);
      const res = await previewLinkAction({ url: story.canonicalUrl });
      if (!res.ok) {
        setPreviewError(word(res.fieldErrors?.canonicalUrl?.[0] ?? res.fieldErrors?.url?.[0] ?? res.error));
        return;
      }
      const p = res.data;
      setStory((s) => ({
        ...s,
        canonicalUrl: p.url || s.canonicalUrl,
        title: p.title ?? s.title,
        summary: p.description ?? s.summary,
        imageUrl: p.imageUrl ?? s.imageUrl,
        language: p.language ?? s.language,
      }));
      setNotice(t("previewFilled"));
    });

  const upload = async (file: File) => {
    setUploading(true);
    setPreviewError(null);
    try {
      const body = new FormData();
      body.set("file", file);
      const response = await fetch("/api/media", { method: "POST", body });
      const json = (await response.json()) as { url?: string; errors?: Record<string, string[]> };
      if (!response.ok || !json.url) {
        setPreviewError(word(json.errors?.file?.[0] ?? "unexpected"));
        return;
      }
      set("imageUrl", new URL(json.url, window.location.origin).toString());
    } finally {
      setUploading(false);
      if (fileRef.current) fileRef.current.value = "";
    }
  };

  const save = () => {
    setNotice(null);
    const { variants, ...rest } = story;
    run({ storyId, story: { ...rest, variants: variants.map(({ network, language, text, assisted }) => ({ network, language, text, assisted })) } }, (res) => {
      if (!res.ok) return;
      setNotice(t("saved"));
      if (!storyId) router.push(`/library/${res.data.id}`);
      else router.refresh();
    });
  };

  const variantErrors = (index: number) => feedback.field(`variants.${index}.text`);

  return (
    <form
      className="space-y-6"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Section card title={t("linkSection")} className="space-y-4">
        <Field label={t("canonicalUrl")} htmlFor={ids.url} hint={t("canonicalUrlHint")} errors={feedback.field("canonicalUrl")}>
          <div className="flex flex-col gap-2 sm:flex-row">
            <input id={ids.url} type="url" inputMode="url" value={story.canonicalUrl} onChange={(e) => set("canonicalUrl", e.target.value)} className={inputClass} />
            <Button type="button" variant="secondary" onClick={fetchPreview} disabled={fetching || !story.canonicalUrl}>
              {fetching ? t("fetching") : t("fetchPreview")}
            </Button>
          </div>
        </Field>
        <FormAlert message={previewError} boxed />
      </Section>

      <Section card title={t("contentSection")} className="space-y-4">
        <Field label={t("title")} htmlFor={ids.title} errors={feedback.field("title")}>
          <input id={ids.title} value={story.title} onChange={(e) => set("title", e.target.value)} maxLength={200} required lang={story.language} className={inputClass} />
        </Field>
        <Field label={t("summary")} htmlFor={ids.summary} errors={feedback.field("summary")}>
          <textarea id={ids.summary} value={story.summary} onChange={(e) => set("summary", e.target.value)} rows={3} maxLength={600} lang={story.language} className={inputClass} />
        </Field>
        <div className="space-y-1">
          <label htmlFor={ids.body} className="block text-sm font-medium text-slate-900">
            {t("body")}
          </label>
          <Tabs.Root defaultValue="write">
            <Tabs.List aria-label={t("bodyView")} className="mb-2 flex gap-1">
              {(["write", "preview"] as const).map((tab) => (
                <Tabs.Trigger key={tab} value={tab} className="rounded px-3 py-1.5 text-sm font-medium text-slate-800 data-[state=active]:bg-brand-600 data-[state=active]:text-white">
                  {t(tab)}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
            <Tabs.Content value="write">
              <textarea id={ids.body} value={story.body} onChange={(e) => set("body", e.target.value)} rows={10} lang={story.language} className={clsx(inputClass, "font-mono")} />
              <p className="text-sm text-slate-700">{t("bodyHint")}</p>
            </Tabs.Content>
            <Tabs.Content value="preview" className="min-h-40 rounded-md border border-slate-200 bg-white p-4">
              {story.body.trim() ? <Markdown source={story.body} lang={story.language} /> : <p className="text-slate-700">{t("nothingToPreview")}</p>}
            </Tabs.Content>
          </Tabs.Root>
          <FormAlert message={feedback.field("body")} />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("language")} htmlFor={ids.language}>
            <select id={ids.language} value={story.language} onChange={(e) => set("language", e.target.value as Locale)} className={inputClass}>
              <LanguageOptions />
            </select>
          </Field>
          <Field label={t("imageUrl")} htmlFor={ids.image} errors={feedback.field("imageUrl")}>
            <input id={ids.image} type="url" value={story.imageUrl} onChange={(e) => set("imageUrl", e.target.value)} className={inputClass} />
          </Field>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={ids.file} className="text-sm font-medium text-slate-900">
            {t("uploadImage")}
          </label>
          <input
            id={ids.file}
            ref={fileRef}
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={uploading}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void upload(file);
            }}
            className="text-sm"
          />
          {story.imageUrl ? <img src={story.imageUrl} alt={t("imagePreviewAlt")} className="h-16 rounded border border-slate-200 object-cover" /> : null}
        </div>
      </Section>

      <Section card title={t("audienceSection")} className="space-y-4">
        <fieldset>
          <legend className="text-sm font-medium text-slate-900">{t("topics")}</legend>
          {topics.length === 0 ? <p className="text-sm text-slate-700">{t("noTopics")}</p> : null}
          <div className="mt-2 flex flex-wrap gap-2">
            {topics.map((topic) => (
              <CheckboxTile key={topic.id} checked={story.topicIds.includes(topic.id)} onChange={() => toggle("topicIds", topic.id)}>
                {topic.name}
              </CheckboxTile>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium text-slate-900">{t("audience")}</legend>
          <p className="text-sm text-slate-700">{t("audienceHint")}</p>
          <AudienceTree teams={teams} parentId={null} checked={story.audienceTeamIds} onToggle={(id) => toggle("audienceTeamIds", id)} />
          <FormAlert message={feedback.field("audienceTeamIds")} />
        </fieldset>
      </Section>

      <Section card title={t("windowSection")} description={t("windowHint", { zone: timeZone })} className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("publishAt")} htmlFor={ids.publishAt} errors={feedback.field("publishAt")}>
            <input id={ids.publishAt} type="datetime-local" value={story.publishAt} onChange={(e) => set("publishAt", e.target.value)} className={inputClass} />
          </Field>
          <Field label={t("expiresAt")} htmlFor={ids.expiresAt} errors={feedback.field("expiresAt")}>
            <input id={ids.expiresAt} type="datetime-local" value={story.expiresAt} onChange={(e) => set("expiresAt", e.target.value)} className={inputClass} />
          </Field>
        </div>
        <CheckboxField id={ids.pinned} checked={story.pinned} onChange={(e) => set("pinned", e.target.checked)} label={t("pinned")} />
      </Section>

      <Section
        card
        title={t("variantsSection")}
        description={`${disclosureHashtag ? t("variantsHintDisclosure", { tag: disclosureHashtag }) : t("variantsHint")}${writingHelp && storyId ? ` ${tw("suggestHint")}` : ""}`}
        className="space-y-4"
      >
        {networks.map((network) => {
          const rows = story.variants.map((v, index) => ({ v, index })).filter(({ v }) => v.network === network);
          return (
            <fieldset key={network} className="space-y-3 border-t border-slate-200 pt-4">
              <legend className="flex items-center gap-2 font-medium text-slate-900">
                {tn(network)} <Badge>{rows.length}</Badge>
              </legend>
              {rows.map(({ v, index }) => (
                <VariantRow
                  key={v.key}
                  variant={v}
                  errors={variantErrors(index)}
                  link={{ url: story.canonicalUrl, title: story.title, imageUrl: story.imageUrl }}
                  onChange={(next) => setStory((s) => ({ ...s, variants: s.variants.map((x) => (x.key === v.key ? next : x)) }))}
                  onRemove={() => setStory((s) => ({ ...s, variants: s.variants.filter((x) => x.key !== v.key) }))}
                />
              ))}
              <Button
                type="button"
                variant="secondary"
                onClick={() => setStory((s) => ({ ...s, variants: [...s.variants, { key: newKey(), network, language: s.language, text: "", assisted: false }] }))}
              >
                {t("addVariant", { network: tn(network) })}
              </Button>
              {writingHelp && storyId ? (
                <SuggestTexts
                  storyId={storyId}
                  network={network}
                  language={story.language}
                  offer={writingHelp}
                  onKeep={(text, language) => setStory((s) => ({ ...s, variants: [...s.variants, { key: newKey(), network, language, text, assisted: true }] }))}
                />
              ) : null}
            </fieldset>
          );
        })}
      </Section>

      <div className="sticky bottom-0 -mx-4 flex flex-col gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
        <LiveStatus success={notice} error={feedback.message} />
        <Button type="submit" disabled={saving}>
          {saving ? t("saving") : storyId ? t("saveChanges") : t("createDraft")}
        </Button>
      </div>
    </form>
  );
}
