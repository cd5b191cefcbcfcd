"use client";

import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { Badge, Button, Card, inputClass } from "../../_components/ui";
import { useActionFeedback } from "../../_components/use-action-feedback";
import { checkComposeAction, confirmIntentAction, intentShareAction, shareAction } from "./actions";

type Network = "linkedin" | "x" | "mastodon" | "bluesky" | "facebook" | "xing" | "threads";
type Account = { id: string; network: Network; handle: string; instanceUrl: string | null; demo: boolean; expiring: boolean; variantId: string | null; text: string };
type ShareLink = { network: Network; variantId: string | null; text: string };
type Check = Extract<Awaited<ReturnType<typeof checkComposeAction>>, { ok: true }>["data"];

/** Counts a text on the server with the code the API and the publisher use. */
function useCheck(input: { network: Network; text: string; storyId: string; connectionId?: string }) {
  const [check, setCheck] = useState<Check | null>(null);
  const { network, text, storyId, connectionId } = input;
  useEffect(() => {
    let current = true;
    const timer = setTimeout(async () => {
      const result = await checkComposeAction({ network, text, storyId, connectionId });
      if (current && result.ok) setCheck(result.data);
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [network, text, storyId, connectionId]);
  return check;
}

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
  network: Network;
  text: string;
  onChange: (text: string) => void;
  storyId: string;
  connectionId?: string;
  errors?: string[];
}) {
  const t = useTranslations("compose");
  const te = useTranslations("errors");
  const check = useCheck({ network, text, storyId, connectionId });
  const counterId = `${id}-count`;
  const over = check ? !check.ok : false;
  const problems = (check?.problems ?? []).map((p) =>
    p.code === "tooLong" ? te("tooLongFor", { value: String(check!.limit) }) : p.code === "blockedPhrase" ? te("blockedPhrase", { value: p.detail ?? "" }) : te.has(p.code) ? te(p.code) : p.code,
  );
  const all = [...new Set([...problems, ...(errors ?? [])])];
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      <textarea id={id} value={text} onChange={(e) => onChange(e.target.value)} rows={5} aria-describedby={counterId} aria-invalid={over || all.length > 0 || undefined} className={inputClass} />
      <p id={counterId} aria-live="polite" className={clsx("text-sm", over ? "font-medium text-red-800" : "text-slate-700")}>
        {check ? t(`counter.${check.unit}`, { length: check.length, limit: check.limit }) : t("counting")}
      </p>
      {check?.duplicate ? (
        <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900" role="status">
          {t(`duplicate.${check.duplicate.kind}`)}
        </p>
      ) : null}
      {all.length > 0 ? (
        <div role="alert">
          <ul className="list-disc pl-5 text-sm text-red-800">
            {all.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function ShareLinkRow({ link, storyId }: { link: ShareLink; storyId: string }) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const te = useTranslations("errors");
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
      const result = await intentShareAction({ storyId, network: link.network, text, variantId: link.variantId, ...(link.network === "mastodon" ? { mastodonInstance: instance } : {}) });
      if (!result.ok) {
        popup?.close();
        const code = Object.values(result.fieldErrors ?? {})[0]?.[0] ?? result.error;
        const [c, v] = code.split(":");
        setState({ error: te.has(c!) ? te(c!, { value: v ?? "" }) : code });
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
      {link.network === "mastodon" ? (
        <div>
          <label htmlFor={instanceId} className="block text-sm font-medium text-slate-900">
            {t("mastodonInstance")}
          </label>
          <input id={instanceId} type="url" value={instance} onChange={(e) => setInstance(e.target.value)} className={inputClass} />
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" disabled={pending} onClick={open}>
          {t("openShare", { network: tn(link.network) })}
        </Button>
      </div>
      <div aria-live="polite" className="text-sm">
        {state && "error" in state ? <p className="font-medium text-red-800">{state.error}</p> : null}
        {state && "shareId" in state ? (
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
        ) : null}
        {state && "answered" in state ? <p className="text-green-900">{state.answered === "published" ? t("thanksPosted") : t("notPosted")}</p> : null}
      </div>
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
  suggestion: { local: string; label: string; basis: "history" | "organisation" } | null;
  minLocal: string;
}) {
  const t = useTranslations("compose");
  const tn = useTranslations("networks");
  const router = useRouter();
  const [selected, setSelected] = useState<string[]>(accounts.filter((a) => !a.expiring).map((a) => a.id));
  const [texts, setTexts] = useState<Record<string, string>>(Object.fromEntries(accounts.map((a) => [a.id, a.text])));
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState(suggestion?.local ?? "");
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [pending, start] = useTransition();
  const feedback = useActionFeedback(result);
  const ids = { now: useId(), later: useId(), at: useId() };
  const chosen = accounts.filter((a) => selected.includes(a.id));

  const submit = () =>
    start(async () => {
      const res = await shareAction({
        storyId,
        scheduledAt: when === "later" ? at : undefined,
        posts: chosen.map((a) => ({ connectionId: a.id, text: texts[a.id] ?? "", variantId: a.variantId })),
      });
      setResult(res);
      if (res.ok) router.push(`/queue?created=${res.data.length}`);
    });

  return (
    <div className="space-y-6">
      <Card className="space-y-4">
        <div>
          <h2 className="text-lg font-semibold text-slate-900">{t("accountsTitle")}</h2>
          <p className="text-sm text-slate-700">{disclosureHashtag ? t("accountsHintDisclosure", { tag: disclosureHashtag }) : t("accountsHint")}</p>
        </div>
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
                  <label key={a.id} className="flex min-h-10 items-center gap-2 rounded-md border border-slate-300 px-3 text-sm">
                    <input
                      type="checkbox"
                      checked={selected.includes(a.id)}
                      onChange={() => setSelected((s) => (s.includes(a.id) ? s.filter((x) => x !== a.id) : [...s, a.id]))}
                      className="h-4 w-4"
                    />
                    <span>
                      {tn(a.network)} · {a.handle}
                    </span>
                    {a.demo ? <Badge tone="amber">{t("demoAccount")}</Badge> : null}
                    {a.expiring ? <Badge tone="amber">{t("expiring")}</Badge> : null}
                  </label>
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
                  {feedback.field("scheduledAt")?.length ? (
                    <p role="alert" className="text-sm text-red-800">
                      {feedback.field("scheduledAt")!.join(" ")}
                    </p>
                  ) : null}
                </div>
              ) : null}
              {spacingMinutes > 0 ? <p className="text-sm text-slate-700">{t("spacing", { minutes: spacingMinutes })}</p> : null}
            </fieldset>
            <div className="flex flex-wrap items-center gap-3">
              <Button type="submit" disabled={pending || chosen.length === 0}>
                {when === "now" ? t("shareNow") : t("schedule")}
              </Button>
              <div aria-live="polite" className="text-sm">
                {feedback.message ? <span className="font-medium text-red-800">{feedback.message}</span> : null}
              </div>
            </div>
          </form>
        )}
      </Card>

      {shareLinks.length > 0 ? (
        <Card className="space-y-4">
          <div>
            <h2 className="text-lg font-semibold text-slate-900">{t("linksTitle")}</h2>
            <p className="text-sm text-slate-700">{t("linksHint")}</p>
          </div>
          <ul className="space-y-3">
            {shareLinks.map((link) => (
              <ShareLinkRow key={link.network} link={link} storyId={storyId} />
            ))}
          </ul>
          {storyUrl ? <p className="text-xs text-slate-700">{t("trackedNote")}</p> : null}
        </Card>
      ) : null}
    </div>
  );
}
