"use client";

import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Tabs } from "radix-ui";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { Markdown } from "../../_components/markdown";
import { Badge, Button, Card, Field, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { checkTextAction, previewLinkAction, saveStoryAction } from "./actions";

export const NETWORKS = ["linkedin", "x", "bluesky", "mastodon", "facebook", "xing", "threads"] as const;
type Network = (typeof NETWORKS)[number];
type Language = "da" | "en";

export type EditorVariant = { key: string; network: Network; language: Language; text: string };
export type EditorStory = {
  title: string;
  summary: string;
  body: string;
  canonicalUrl: string;
  imageUrl: string;
  language: Language;
  topicIds: string[];
  audienceTeamIds: string[];
  /** Wall-clock "YYYY-MM-DDTHH:mm" in the editor's time zone, or "". */
  publishAt: string;
  expiresAt: string;
  pinned: boolean;
  variants: EditorVariant[];
};

type Check = { text: string; length: number; limit: number; unit: string; ok: boolean; problems: Array<{ code: string; detail?: string }> };

let keySeq = 0;
const newKey = () => `v${Date.now().toString(36)}${(keySeq++).toString(36)}`;

/** Counts a share text on the server with the same code the API and the publisher use. */
function useTextCheck(network: Network, text: string) {
  const [check, setCheck] = useState<Check | null>(null);
  useEffect(() => {
    if (!text.trim()) {
      setCheck(null);
      return;
    }
    let current = true;
    const timer = setTimeout(async () => {
      const result = await checkTextAction({ network, text });
      if (current && result.ok) setCheck(result.data);
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [network, text]);
  return check;
}

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
  const te = useTranslations("errors");
  const tn = useTranslations("networks");
  const check = useTextCheck(variant.network, variant.text);
  const ids = { text: useId(), lang: useId(), count: useId() };
  const over = check ? !check.ok : false;
  const problemWords = (check?.problems ?? []).map((p) =>
    p.code === "tooLong" ? te("tooLongFor", { value: String(check!.limit) }) : p.code === "blockedPhrase" ? te("blockedPhrase", { value: p.detail ?? "" }) : te.has(p.code) ? te(p.code) : p.code,
  );
  return (
    <div className="grid gap-3 rounded-md border border-slate-200 p-3 lg:grid-cols-2" data-testid={`variant-${variant.network}`}>
      <div className="space-y-2">
        <div className="flex items-end gap-2">
          <div className="w-36">
            <label htmlFor={ids.lang} className="block text-sm font-medium text-slate-900">
              {t("variantLanguage")}
            </label>
            <select id={ids.lang} value={variant.language} onChange={(e) => onChange({ ...variant, language: e.target.value as Language })} className={inputClass}>
              <option value="da">Dansk</option>
              <option value="en">English</option>
            </select>
          </div>
          <Button type="button" variant="ghost" className="ml-auto" onClick={onRemove} aria-label={t("removeVariant", { network: tn(variant.network) })}>
            {t("remove")}
          </Button>
        </div>
        <label htmlFor={ids.text} className="block text-sm font-medium text-slate-900">
          {t("variantText", { network: tn(variant.network) })}
        </label>
        <textarea
          id={ids.text}
          value={variant.text}
          onChange={(e) => onChange({ ...variant, text: e.target.value })}
          rows={5}
          lang={variant.language}
          aria-describedby={ids.count}
          aria-invalid={over || Boolean(errors?.length) || undefined}
          className={clsx(inputClass, "font-normal")}
        />
        <p id={ids.count} aria-live="polite" className={clsx("text-sm", over ? "font-medium text-red-800" : "text-slate-700")}>
          {check ? t(`counter.${check.unit === "weighted" ? "weighted" : check.unit === "graphemes" ? "graphemes" : "characters"}`, { length: check.length, limit: check.limit }) : t("counterEmpty")}
        </p>
        {[...problemWords, ...(errors ?? [])].length > 0 ? (
          <div role="alert">
            <ul className="list-disc pl-5 text-sm text-red-800">
              {[...new Set([...problemWords, ...(errors ?? [])])].map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <figure className="rounded-md bg-slate-50 p-3 text-sm" aria-label={t("postPreview", { network: tn(variant.network) })}>
        <figcaption className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-700">{t("postPreview", { network: tn(variant.network) })}</figcaption>
        <p className="whitespace-pre-wrap break-words text-slate-900" lang={variant.language}>
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

type TeamOption = { id: string; name: string; depth: number };
type TopicOption = { id: string; name: string };

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
}: {
  storyId?: string;
  initial: EditorStory;
  topics: TopicOption[];
  teams: TeamOption[];
  timeZone: string;
  disclosureHashtag: string | null;
}) {
  const t = useTranslations("editor");
  const te = useTranslations("errors");
  const tn = useTranslations("networks");
  const router = useRouter();
  const [story, setStory] = useState<EditorStory>(initial);
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [saving, startSaving] = useTransition();
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
        const code = res.fieldErrors?.canonicalUrl?.[0] ?? res.fieldErrors?.url?.[0] ?? res.error;
        setPreviewError(te.has(code) ? te(code) : code);
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
        const code = json.errors?.file?.[0] ?? "unexpected";
        setPreviewError(te.has(code) ? te(code) : code);
        return;
      }
      set("imageUrl", new URL(json.url, window.location.origin).toString());
    } finally {
      setUploading(false);
      if (fileRef.current) fileRef.current.value = "";
    }
  };

  const save = () =>
    startSaving(async () => {
      setNotice(null);
      const { variants, ...rest } = story;
      const res = await saveStoryAction({
        storyId,
        story: { ...rest, variants: variants.map(({ network, language, text }) => ({ network, language, text })) },
      });
      setResult(res);
      if (res.ok) {
        setNotice(t("saved"));
        if (!storyId) router.push(`/library/${res.data.id}`);
        else router.refresh();
      }
    });

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
      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("linkSection")}</h2>
        <Field label={t("canonicalUrl")} htmlFor={ids.url} hint={t("canonicalUrlHint")} errors={feedback.field("canonicalUrl")}>
          <div className="flex flex-col gap-2 sm:flex-row">
            <input id={ids.url} type="url" inputMode="url" value={story.canonicalUrl} onChange={(e) => set("canonicalUrl", e.target.value)} className={inputClass} />
            <Button type="button" variant="secondary" onClick={fetchPreview} disabled={fetching || !story.canonicalUrl}>
              {fetching ? t("fetching") : t("fetchPreview")}
            </Button>
          </div>
        </Field>
        {previewError ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
            {previewError}
          </p>
        ) : null}
      </Card>

      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("contentSection")}</h2>
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
          {feedback.field("body")?.length ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.field("body")!.join(" ")}
            </p>
          ) : null}
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("language")} htmlFor={ids.language}>
            <select id={ids.language} value={story.language} onChange={(e) => set("language", e.target.value as Language)} className={inputClass}>
              <option value="da">Dansk</option>
              <option value="en">English</option>
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
      </Card>

      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("audienceSection")}</h2>
        <fieldset>
          <legend className="text-sm font-medium text-slate-900">{t("topics")}</legend>
          {topics.length === 0 ? <p className="text-sm text-slate-700">{t("noTopics")}</p> : null}
          <div className="mt-2 flex flex-wrap gap-2">
            {topics.map((topic) => (
              <label key={topic.id} className="flex min-h-10 items-center gap-2 rounded-md border border-slate-300 px-3 text-sm">
                <input type="checkbox" checked={story.topicIds.includes(topic.id)} onChange={() => toggle("topicIds", topic.id)} className="h-4 w-4" />
                {topic.name}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium text-slate-900">{t("audience")}</legend>
          <p className="text-sm text-slate-700">{t("audienceHint")}</p>
          <div className="mt-2 grid gap-1 sm:grid-cols-2">
            {teams.map((team) => (
              <label key={team.id} className="flex min-h-10 items-center gap-2 rounded-md px-2 text-sm" style={{ paddingInlineStart: `${0.5 + team.depth * 1.25}rem` }}>
                <input type="checkbox" checked={story.audienceTeamIds.includes(team.id)} onChange={() => toggle("audienceTeamIds", team.id)} className="h-4 w-4" />
                {team.name}
              </label>
            ))}
          </div>
          {feedback.field("audienceTeamIds")?.length ? (
            <p role="alert" className="text-sm text-red-800">
              {feedback.field("audienceTeamIds")!.join(" ")}
            </p>
          ) : null}
        </fieldset>
      </Card>

      <Card className="space-y-4">
        <h2 className="text-lg font-semibold text-slate-900">{t("windowSection")}</h2>
        <p className="text-sm text-slate-700">{t("windowHint", { zone: timeZone })}</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("publishAt")} htmlFor={ids.publishAt} errors={feedback.field("publishAt")}>
            <input id={ids.publishAt} type="datetime-local" value={story.publishAt} onChange={(e) => set("publishAt", e.target.value)} className={inputClass} />
          </Field>
          <Field label={t("expiresAt")} htmlFor={ids.expiresAt} errors={feedback.field("expiresAt")}>
            <input id={ids.expiresAt} type="datetime-local" value={story.expiresAt} onChange={(e) => set("expiresAt", e.target.value)} className={inputClass} />
          </Field>
        </div>
        <label htmlFor={ids.pinned} className="flex items-center gap-2 text-sm text-slate-900">
          <input id={ids.pinned} type="checkbox" checked={story.pinned} onChange={(e) => set("pinned", e.target.checked)} className="h-4 w-4" />
          {t("pinned")}
        </label>
      </Card>

      <Card className="space-y-4">
        <div>
          <h2 className="text-lg font-semibold text-slate-900">{t("variantsSection")}</h2>
          <p className="text-sm text-slate-700">{disclosureHashtag ? t("variantsHintDisclosure", { tag: disclosureHashtag }) : t("variantsHint")}</p>
        </div>
        {NETWORKS.map((network) => {
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
                onClick={() => setStory((s) => ({ ...s, variants: [...s.variants, { key: newKey(), network, language: s.language, text: "" }] }))}
              >
                {t("addVariant", { network: tn(network) })}
              </Button>
            </fieldset>
          );
        })}
      </Card>

      <div className="sticky bottom-0 -mx-4 flex flex-col gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
        <div aria-live="polite" className="text-sm">
          {feedback.message ? <span className="font-medium text-red-800">{feedback.message}</span> : notice ? <span className="text-green-900">{notice}</span> : null}
        </div>
        <Button type="submit" disabled={saving}>
          {saving ? t("saving") : storyId ? t("saveChanges") : t("createDraft")}
        </Button>
      </div>
    </form>
  );
}

export function newVariantKey() {
  return newKey();
}
