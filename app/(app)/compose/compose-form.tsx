"use client";

import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import type { NetworkId } from "@/lib/networks";
import type { ShareAccount } from "@/lib/shares";
import type { TimeSuggestion } from "@/lib/shares/timing";
import { CountedText, useLiveCheck, useProblemWords } from "../../_components/counted-text";
import { Badge, Button, CheckboxTile, Field, FormAlert, LiveStatus, Section, SubmitRow, inputClass } from "../../_components/ui";
import { useActionFeedback, useErrorWords } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { checkComposeAction, confirmIntentAction, intentShareAction, shareAction } from "./actions";

/** Where a text starts from: a suggested variant, or the story's title and link. */
type Start = { variantId: string | null; text: string };
type Account = Pick<ShareAccount, "id" | "network" | "handle" | "instanceUrl"> & Start & { demo: boolean; expiring: boolean };
type ShareLink = Start & { network: NetworkId; asksInstance: boolean };

/** One text to share, counted live as its network (and, with an account, its instance) counts it. */
function TextEditor({
  id,
  label,
  network,
  text,
  onChange,
  storyId,
  connectionId,
  errors,
}: {
  id: string;
  label: string;
  network: NetworkId;
  text: string;
  onChange: (text: string) => void;
  storyId: string;
  connectionId?: string;
  errors?: string[];
}) {
  const t = useTranslations("compose");
  const check = useLiveCheck(checkComposeAction, { network, text, storyId, connectionId });
  const problemWords = useProblemWords();
  return (
    <div className="space-y-1">
      <CountedText
        id={id}
        label={label}
        value={text}
        onChange={onChange}
        counter={check ? t(`counter.${check.unit}`, { length: check.length, limit: check.limit }) : t("counting")}
        over={check ? !check.ok : false}
        problems={[...problemWords(check), ...(errors ?? [])]}
      >
        {check?.duplicate ? (
          <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900" role="status">
            {t(`duplicate.${check.duplicate.kind}`)}
          </p>
        ) : null}
      </CountedText>
    </div>
  );
}

function ShareLinkRow({ link, storyId }: { link: ShareLink; storyId: string }) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const word = useErrorWords();
  const [text, setText] = useState(link.text);
  const [instance, setInstance] = useState("https://mastodon.social");
  const [pending, start] = useTransition();
  const [state, setState] = useState<{ shareId: string; copied: boolean } | { answered: "published" | "cancelled" } | { error: string } | null>(null);
  const id = useId();
  const instanceId = useId();

  const open = () => {
    // Opened now, inside the click, so no pop-up blocker stops it; pointed at the share window once it is recorded.
    const popup = window.open("about:blank", "_blank");
    start(async () => {
      const result = await intentShareAction({ storyId, network: link.network, text, variantId: link.variantId, ...(link.asksInstance ? { mastodonInstance: instance } : {}) });
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
    <li className="space-y-2 rounded-md border border-slate-200 p-3" data-testid={`share-link-${link.network}`}>
      <TextEditor id={id} label={t("linkText", { network: tn(link.network) })} network={link.network} text={text} onChange={setText} storyId={storyId} />
      {link.asksInstance ? (
        <Field label={t("mastodonInstance")} htmlFor={instanceId}>
          <input id={instanceId} type="url" value={instance} onChange={(e) => setInstance(e.target.value)} className={inputClass} />
        </Field>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" disabled={pending} onClick={open}>
          {t("openShare", { network: tn(link.network) })}
        </Button>
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
 * Choose accounts, make the words your own (counted live), pick now or a time (a
 * suggestion offered), and share; or open a network's own share window.
 */
export function ComposeForm({
  storyId,
  storyUrl,
  timeZone,
  disclosureHashtag,
  spacingMinutes,
  accounts,
  shareLinks,
  suggestion,
  minLocal,
}: {
  storyId: string;
  storyUrl: string | null;
  timeZone: string;
  disclosureHashtag: string | null;
  spacingMinutes: number;
  accounts: Account[];
  shareLinks: ShareLink[];
  suggestion: { local: string; label: string; basis: TimeSuggestion["basis"] } | null;
  minLocal: string;
}) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const router = useRouter();
  const [selected, setSelected] = useState<string[]>(accounts.filter((a) => !a.expiring).map((a) => a.id));
  const [texts, setTexts] = useState<Record<string, string>>(Object.fromEntries(accounts.map((a) => [a.id, a.text])));
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState(suggestion?.local ?? "");
  const { result, pending, run } = useAction(shareAction);
  const feedback = useActionFeedback(result);
  const ids = { now: useId(), later: useId(), at: useId() };
  const chosen = accounts.filter((a) => selected.includes(a.id));

  const submit = () =>
    run(
      {
        storyId,
        scheduledAt: when === "later" ? at : undefined,
        posts: chosen.map((a) => ({ connectionId: a.id, text: texts[a.id] ?? "", variantId: a.variantId })),
      },
      (res) => {
        if (res.ok) router.push(`/queue?created=${res.data.length}`);
      },
    );

  return (
    <div className="space-y-6">
      <Section card title={t("accountsTitle")} description={disclosureHashtag ? t("accountsHintDisclosure", { tag: disclosureHashtag }) : t("accountsHint")}>
        {accounts.length === 0 ? (
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
                    <span>
                      {tn(a.network)} · {a.handle}
                    </span>
                    {a.demo ? <Badge tone="amber">{t("demoAccount")}</Badge> : null}
                    {a.expiring ? <Badge tone="amber">{t("expiring")}</Badge> : null}
                  </CheckboxTile>
                ))}
              </div>
            </fieldset>
            {chosen.map((a) => (
              <div key={a.id} data-testid={`compose-${a.network}`}>
                <TextEditor
                  id={`text-${a.id}`}
                  label={t("textFor", { network: tn(a.network), handle: a.handle })}
                  network={a.network}
                  text={texts[a.id] ?? ""}
                  onChange={(text) => setTexts((all) => ({ ...all, [a.id]: text }))}
                  storyId={storyId}
                  connectionId={a.id}
                  errors={feedback.field(`posts.${chosen.indexOf(a)}.text`)}
                />
              </div>
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
                  {suggestion ? (
                    <p className="text-sm text-slate-700">
                      {t(`suggested.${suggestion.basis}`, { when: suggestion.label })}{" "}
                      <button type="button" className="font-medium text-brand-700 underline" onClick={() => setAt(suggestion.local)}>
                        {t("useSuggestion")}
                      </button>
                    </p>
                  ) : null}
                  <FormAlert message={feedback.field("scheduledAt")} />
                </div>
              ) : null}
              {spacingMinutes > 0 ? <p className="text-sm text-slate-700">{t("spacing", { minutes: spacingMinutes })}</p> : null}
            </fieldset>
            <SubmitRow label={when === "now" ? t("shareNow") : t("schedule")} pending={pending} disabled={chosen.length === 0} error={feedback.message} />
          </form>
        )}
      </Section>

      {shareLinks.length > 0 ? (
        <Section card title={t("linksTitle")} description={t("linksHint")}>
          <ul className="space-y-3">
            {shareLinks.map((link) => (
              <ShareLinkRow key={link.network} link={link} storyId={storyId} />
            ))}
          </ul>
          {storyUrl ? <p className="mt-4 text-xs text-slate-700">{t("trackedNote")}</p> : null}
        </Section>
      ) : null}
    </div>
  );
}
