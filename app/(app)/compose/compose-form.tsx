"use client";

import clsx from "clsx";
import { useTranslations } from "next-intl";
import { useEffect, useId, useState, useTransition } from "react";
import type { Locale } from "@/lib/i18n/locales";
import type { NetworkId } from "@/lib/networks";
import type { LinkPlacement } from "@/lib/networks/appearance";
import type { NetworkSuggestions } from "@/lib/shares";
import { textAsPosted } from "@/lib/shares/post-text";
import type { TimeSuggestion } from "@/lib/shares/timing";
import { CountedText, useLiveCheck, useProblemWords } from "../../_components/counted-text";
import { Badge, Button, CheckboxTile, Field, FormAlert, LiveStatus, Section, SubmitRow, inputClass } from "../../_components/ui";
import { useActionFeedback, useErrorWords } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { checkComposeAction, confirmIntentAction, intentShareAction, shareAction } from "./actions";
import { PostPreview, type CardFacts } from "./post-preview";
import { ShareOutcomes, type CreatedShare } from "./share-outcomes";
import { WritingTools, type ComposeWritingHelp } from "./writing-tools";

/** viaShareWindow: the organisation's budget for the network's paid API says this post goes through the share window, and why. */
type Account = { id: string; network: NetworkId; handle: string; displayName: string | null; demo: boolean; expiring: boolean; viaShareWindow: "off" | "budget" | null; placement: LinkPlacement };
type ShareLink = { network: NetworkId; asksInstance: boolean };

/** What every text editor of the page needs to know about the story and the person. */
type StoryFacts = {
  storyId: string;
  storyUrl: string | null;
  language: Locale;
  /** Writing help (null: the server has no model, so no buttons). */
  writing: ComposeWritingHelp | null;
  /** A tracked link of the real length, for the preview until the share has its own. */
  trackedSample: string;
  disclosureHashtag: string | null;
  authorName: string;
  card: CardFacts;
};

/**
 * Which suggestion a text started from, and the person's edits of each (switching back keeps
 * them); per suggestion too, the language writing help left it in and whether it helped.
 */
type Draft = { index: number; edits: Record<number, string>; languages?: Record<number, Locale>; helped?: Record<number, true> };
type Choice = { variantId: string | null; text: string; language: Locale };

function choicesOf(suggestions: NetworkSuggestions | undefined, fallback: string, language: Locale): Choice[] {
  return suggestions ? suggestions.suggestions.map((s) => ({ variantId: s.id, text: s.text, language: s.language })) : [{ variantId: null, text: fallback, language }];
}

function firstDraft(suggestions: NetworkSuggestions | undefined): Draft {
  return { index: Math.max(0, suggestions?.suggestions.findIndex((s) => s.id === suggestions.startId) ?? 0), edits: {} };
}

function draftText(draft: Draft, choices: Choice[]): string {
  return draft.edits[draft.index] ?? choices[draft.index]?.text ?? "";
}

/** "Suggestion 2 of 3" with the way to the others; nothing when there is only one text. */
function SuggestionPicker({ draft, count, onPick }: { draft: Draft; count: number; onPick: (index: number) => void }) {
  const t = useTranslations("compose.suggestions");
  if (count < 2) return null;
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="suggestions">
      <p className="text-sm font-medium text-slate-900" aria-live="polite">
        {t("position", { n: draft.index + 1, count })}
        {draft.edits[draft.index] !== undefined ? <span className="font-normal text-slate-700"> · {t("edited")}</span> : null}
      </p>
      <div className="flex gap-2">
        <Button type="button" variant="secondary" className="min-h-9 px-3" onClick={() => onPick((draft.index + count - 1) % count)}>
          {t("previous")}
        </Button>
        <Button type="button" variant="secondary" className="min-h-9 px-3" onClick={() => onPick((draft.index + 1) % count)}>
          {t("next")}
        </Button>
      </div>
    </div>
  );
}

/**
 * One text to share: the editor's suggestions to choose from, the text counted live as its
 * network (and, with an account, its instance) counts it, and the post as it will look.
 */
function TextEditor({
  id,
  label,
  network,
  handle,
  connectionId,
  placement = "card",
  story,
  choices,
  draft,
  onDraft,
  onCheck,
  errors,
}: {
  id: string;
  label: string;
  network: NetworkId;
  handle: string | null;
  connectionId?: string;
  /** Where the link goes when Ripple posts it; a share window always gets the card. */
  placement?: LinkPlacement;
  story: StoryFacts;
  choices: Choice[];
  draft: Draft;
  onDraft: (draft: Draft) => void;
  onCheck?: (ok: boolean) => void;
  errors?: string[];
}) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const text = draftText(draft, choices);
  const check = useLiveCheck(checkComposeAction, { network, text, storyId: story.storyId, connectionId });
  const problemWords = useProblemWords();
  useEffect(() => onCheck?.(check?.ok ?? true), [check, onCheck]);
  const posted = textAsPosted(text, { storyUrl: story.storyUrl, trackedUrl: story.trackedSample, disclosureHashtag: story.disclosureHashtag });
  return (
    <div className="grid gap-4 rounded-md border border-slate-200 p-3 lg:grid-cols-2" data-testid={`compose-${network}`}>
      <div className="min-w-0 space-y-2">
        <SuggestionPicker draft={draft} count={choices.length} onPick={(index) => onDraft({ ...draft, index })} />
        <CountedText
          id={id}
          label={label}
          value={text}
          onChange={(next) => onDraft({ ...draft, edits: { ...draft.edits, [draft.index]: next } })}
          counter={check ? t("counter", { network: tn(network), length: check.length, limit: check.limit }) : t("counting")}
          over={check ? !check.ok : false}
          problems={[...problemWords(check), ...(errors ?? [])]}
        >
          {check?.duplicate ? (
            <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900" role="status">
              {t(`duplicate.${check.duplicate.kind}`)}
            </p>
          ) : null}
        </CountedText>
        {story.writing ? (
          <WritingTools
            storyId={story.storyId}
            network={network}
            text={text}
            language={draft.languages?.[draft.index] ?? choices[draft.index]?.language ?? story.language}
            help={story.writing}
            onText={(next, language) =>
              onDraft({
                ...draft,
                edits: { ...draft.edits, [draft.index]: next },
                languages: { ...draft.languages, [draft.index]: language },
                helped: { ...draft.helped, [draft.index]: true },
              })
            }
          />
        ) : null}
      </div>
      <PostPreview network={network} author={{ name: story.authorName, handle }} text={posted} card={story.card} placement={placement} link={story.trackedSample} />
    </div>
  );
}

function ShareLinkRow({ link, story, suggestions }: { link: ShareLink; story: StoryFacts; suggestions: NetworkSuggestions | undefined }) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const word = useErrorWords();
  const choices = choicesOf(suggestions, `${story.card.title} ${story.storyUrl ?? ""}`.trim(), story.language);
  const [draft, setDraft] = useState(() => firstDraft(suggestions));
  const [ok, setOk] = useState(true);
  const [instance, setInstance] = useState("https://mastodon.social");
  const [pending, start] = useTransition();
  const [state, setState] = useState<{ shareId: string; copied: boolean } | { answered: "published" | "cancelled" } | { error: string } | null>(null);
  const id = useId();
  const instanceId = useId();
  const text = draftText(draft, choices);

  const open = () => {
    // Opened now, inside the click, so no pop-up blocker stops it; pointed at the share window once it is recorded.
    const popup = window.open("about:blank", "_blank");
    start(async () => {
      const result = await intentShareAction({
        storyId: story.storyId,
        network: link.network,
        text,
        variantId: choices[draft.index]?.variantId ?? null,
        assisted: draft.helped?.[draft.index] ?? false,
        ...(link.asksInstance ? { mastodonInstance: instance } : {}),
      });
      if (!result.ok) {
        popup?.close();
        setState({ error: word(Object.values(result.fieldErrors ?? {})[0]?.[0] ?? result.error) });
        return;
      }
      let copied = false;
      if (result.data.copyText) {
        try {
          await navigator.clipboard.writeText(result.data.copyText);
          copied = true;
        } catch {
          copied = false;
        }
      }
      if (popup) {
        popup.opener = null;
        popup.location.href = result.data.url;
      }
      setState({ shareId: result.data.shareId, copied });
    });
  };

  const answer = (posted: boolean) =>
    start(async () => {
      if (!state || !("shareId" in state)) return;
      const result = await confirmIntentAction({ shareId: state.shareId, posted });
      if (result.ok) setState({ answered: result.data.status === "published" ? "published" : "cancelled" });
    });

  return (
    <li className="space-y-2" data-testid={`share-link-${link.network}`}>
      <TextEditor
        id={id}
        label={t("linkText", { network: tn(link.network) })}
        network={link.network}
        handle={null}
        story={story}
        choices={choices}
        draft={draft}
        onDraft={setDraft}
        onCheck={setOk}
      />
      {link.asksInstance ? (
        <Field label={t("mastodonInstance")} htmlFor={instanceId}>
          <input id={instanceId} type="url" value={instance} onChange={(e) => setInstance(e.target.value)} className={inputClass} />
        </Field>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        {/* Over the network's limit the window would get a text it refuses: not offered (the server refuses it too). */}
        <Button type="button" variant="secondary" disabled={pending || !ok} onClick={open}>
          {t("openShare", { network: tn(link.network) })}
        </Button>
        {!ok ? <p className="text-sm text-red-800">{t("fixFirst")}</p> : null}
      </div>
      <LiveStatus
        error={state && "error" in state ? state.error : null}
        success={state && "answered" in state ? (state.answered === "published" ? t("thanksPosted") : t("notPosted")) : null}
      />
      {state && "shareId" in state ? (
        <div aria-live="polite" className="text-sm">
          <div className="space-y-2 rounded-md bg-slate-50 p-3">
            {state.copied ? <p className="text-slate-800">{t("copied")}</p> : null}
            <p className="font-medium text-slate-900">{t("didYouPost", { network: tn(link.network) })}</p>
            <div className="flex gap-2">
              <Button type="button" disabled={pending} onClick={() => answer(true)}>
                {t("postedYes")}
              </Button>
              <Button type="button" variant="secondary" disabled={pending} onClick={() => answer(false)}>
                {t("postedNo")}
              </Button>
            </div>
          </div>
        </div>
      ) : null}
    </li>
  );
}

/**
 * Choose accounts, pick one of the editor's suggestions and make the words your own while
 * the post is drawn as each network will show it, pick now or a time, and share with one
 * button; what happened to each post is then shown here. Or open a network's share window.
 */
export function ComposeForm({
  story,
  timeZone,
  spacingMinutes,
  accounts,
  shareLinks,
  suggestions,
  timeSuggestion,
  minLocal,
}: {
  story: StoryFacts;
  timeZone: string;
  spacingMinutes: number;
  accounts: Account[];
  shareLinks: ShareLink[];
  suggestions: Partial<Record<NetworkId, NetworkSuggestions>>;
  timeSuggestion: { local: string; label: string; basis: TimeSuggestion["basis"] } | null;
  minLocal: string;
}) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const fallback = `${story.card.title} ${story.storyUrl ?? ""}`.trim();
  const [selected, setSelected] = useState<string[]>(accounts.filter((a) => !a.expiring).map((a) => a.id));
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => Object.fromEntries(accounts.map((a) => [a.id, firstDraft(suggestions[a.network])])));
  const [checks, setChecks] = useState<Record<string, boolean>>({});
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState(timeSuggestion?.local ?? "");
  const [created, setCreated] = useState<CreatedShare[] | null>(null);
  const { result, pending, run } = useAction(shareAction);
  const feedback = useActionFeedback(result);
  const ids = { now: useId(), later: useId(), at: useId() };
  const chosen = accounts.filter((a) => selected.includes(a.id));
  const overLimit = chosen.some((a) => checks[a.id] === false);
  const [checkSetters] = useState(() => new Map<string, (ok: boolean) => void>());
  const onCheckOf = (id: string) => {
    if (!checkSetters.has(id)) checkSetters.set(id, (ok) => setChecks((all) => (all[id] === ok ? all : { ...all, [id]: ok })));
    return checkSetters.get(id)!;
  };

  const submit = () =>
    run(
      {
        storyId: story.storyId,
        scheduledAt: when === "later" ? at : undefined,
        posts: chosen.map((a) => {
          const choices = choicesOf(suggestions[a.network], fallback, story.language);
          const draft = drafts[a.id]!;
          return { connectionId: a.id, text: draftText(draft, choices), variantId: choices[draft.index]?.variantId ?? null, assisted: draft.helped?.[draft.index] ?? false };
        }),
      },
      (res) => {
        if (res.ok) setCreated(res.data);
      },
    );

  return (
    <div className="space-y-6">
      <Section card title={t("accountsTitle")} description={story.disclosureHashtag ? t("accountsHintDisclosure", { tag: story.disclosureHashtag }) : t("accountsHint")}>
        {created ? (
          <ShareOutcomes created={created} accounts={accounts} timeZone={timeZone} />
        ) : accounts.length === 0 ? (
          <p className="text-sm text-slate-800">
            {t("noAccounts")}{" "}
            <a href="/connections" className="font-medium text-brand-700 underline">
              {t("connectAccounts")}
            </a>
          </p>
        ) : (
          <form
            className="space-y-5"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">{t("postFrom")}</legend>
              <div className="flex flex-wrap gap-2">
                {accounts.map((a) => (
                  <CheckboxTile key={a.id} checked={selected.includes(a.id)} onChange={() => setSelected((s) => (s.includes(a.id) ? s.filter((x) => x !== a.id) : [...s, a.id]))}>
                    <span className="break-all">
                      {tn(a.network)} · {a.handle}
                    </span>
                    {a.demo ? <Badge tone="amber">{t("demoAccount")}</Badge> : null}
                    {a.expiring ? <Badge tone="amber">{t("expiring")}</Badge> : null}
                  </CheckboxTile>
                ))}
              </div>
              {chosen
                .filter((a) => a.viaShareWindow)
                .map((a) => (
                  <p key={a.id} role="note" data-testid={`share-window-note-${a.network}`} className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
                    {t(a.viaShareWindow === "off" ? "viaShareWindow.off" : "viaShareWindow.budget", { network: tn(a.network) })}
                  </p>
                ))}
            </fieldset>
            {chosen.map((a) => (
              <TextEditor
                key={a.id}
                id={`text-${a.id}`}
                label={t("textFor", { network: tn(a.network), handle: a.handle })}
                network={a.network}
                handle={a.handle}
                connectionId={a.id}
                placement={a.viaShareWindow ? "card" : a.placement}
                story={{ ...story, authorName: a.displayName ?? story.authorName }}
                choices={choicesOf(suggestions[a.network], fallback, story.language)}
                draft={drafts[a.id]!}
                onDraft={(draft) => setDrafts((all) => ({ ...all, [a.id]: draft }))}
                onCheck={onCheckOf(a.id)}
                errors={feedback.field(`posts.${chosen.indexOf(a)}.text`)}
              />
            ))}
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">{t("when")}</legend>
              <div className="flex flex-wrap gap-4">
                <label htmlFor={ids.now} className="flex items-center gap-2 text-sm">
                  <input id={ids.now} type="radio" name="when" checked={when === "now"} onChange={() => setWhen("now")} className="h-4 w-4" />
                  {t("now")}
                </label>
                <label htmlFor={ids.later} className="flex items-center gap-2 text-sm">
                  <input id={ids.later} type="radio" name="when" checked={when === "later"} onChange={() => setWhen("later")} className="h-4 w-4" />
                  {t("later")}
                </label>
              </div>
              {when === "later" ? (
                <div className="space-y-2">
                  <label htmlFor={ids.at} className="block text-sm font-medium text-slate-900">
                    {t("at", { zone: timeZone })}
                  </label>
                  <input id={ids.at} type="datetime-local" min={minLocal} value={at} onChange={(e) => setAt(e.target.value)} className={clsx(inputClass, "sm:w-64")} />
                  {timeSuggestion ? (
                    <p className="text-sm text-slate-700">
                      {t(`suggested.${timeSuggestion.basis}`, { when: timeSuggestion.label })}{" "}
                      <button type="button" className="font-medium text-brand-700 underline" onClick={() => setAt(timeSuggestion.local)}>
                        {t("useSuggestion")}
                      </button>
                    </p>
                  ) : null}
                  <FormAlert message={feedback.field("scheduledAt")} />
                </div>
              ) : null}
              {spacingMinutes > 0 ? <p className="text-sm text-slate-700">{t("spacing", { minutes: spacingMinutes })}</p> : null}
            </fieldset>
            {overLimit ? <p className="text-sm text-red-800">{t("fixFirst")}</p> : null}
            <SubmitRow
              label={when === "now" ? t("shareNow") : t("schedule")}
              pending={pending}
              disabled={chosen.length === 0 || overLimit}
              error={feedback.message}
            />
          </form>
        )}
      </Section>

      {shareLinks.length > 0 ? (
        <Section card title={t("linksTitle")} description={t("linksHint")}>
          <ul className="space-y-5">
            {shareLinks.map((link) => (
              <ShareLinkRow key={link.network} link={link} story={story} suggestions={suggestions[link.network]} />
            ))}
          </ul>
          {story.storyUrl ? <p className="mt-4 text-xs text-slate-700">{t("trackedNote")}</p> : null}
        </Section>
      ) : null}
    </div>
  );
}
