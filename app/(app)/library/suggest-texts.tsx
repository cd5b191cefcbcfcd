"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { Locale } from "@/lib/i18n/locales";
import type { NetworkId } from "@/lib/networks";
import { Button, Field, LanguageOptions, LiveStatus, inputClass } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { useWriting } from "../../_components/use-writing";

type Draft = { text: string; length: number; limit: number; shortened: boolean };
type Answer = { texts: Draft[]; dropped: Array<{ reason: string; detail?: string }> };

/** Whether writing help can be used here now: not when this month's budget is used (the button says so). */
export type WritingHelpOffer = { available: boolean; reason: "budget" | null };

/**
 * For editors: the organisation's model writes a few texts for one network from the story as
 * saved. They stream in as written, then each checked text waits for Keep or Discard: a kept
 * one becomes an ordinary suggested text, marked as written with help.
 */
export function SuggestTexts({ storyId, network, language, offer, onKeep }: { storyId: string; network: NetworkId; language: Locale; offer: WritingHelpOffer; onKeep: (text: string, language: Locale) => void }) {
  const t = useTranslations("writing");
  const tn = useTranslations("networks");
  const word = useErrorWords();
  const { state, run } = useWriting<Answer>("suggested-texts");
  const [lang, setLang] = useState<Locale>(language);
  const [answer, setAnswer] = useState<(Answer & { language: Locale }) | null>(null);
  const ids = { lang: useId() };
  const writing = state.status === "writing";

  const write = async () => {
    setAnswer(null);
    const result = await run({ storyId, network, language: lang, count: 3 });
    if (result) setAnswer({ ...result, language: lang });
  };
  const discard = (index: number) => setAnswer((a) => (a ? { ...a, texts: a.texts.filter((_, i) => i !== index) } : a));

  return (
    <div className="space-y-3 rounded-md bg-slate-50 p-3" data-testid={`suggest-${network}`}>
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("language")} htmlFor={ids.lang} className="w-36">
          <select id={ids.lang} value={lang} onChange={(e) => setLang(e.target.value as Locale)} className={inputClass}>
            <LanguageOptions />
          </select>
        </Field>
        <Button type="button" variant="secondary" onClick={write} disabled={writing || !offer.available}>
          {writing ? t("writing") : t("suggest", { network: tn(network) })}
        </Button>
      </div>
      {offer.available ? null : <p className="text-sm text-slate-700">{t("budget")}</p>}
      {writing ? (
        <p aria-live="polite" aria-busy="true" className="whitespace-pre-wrap rounded-md border border-dashed border-slate-300 bg-white p-3 text-sm text-slate-800" data-testid="writing-stream" lang={lang}>
          {state.text || t("waiting")}
        </p>
      ) : null}
      <LiveStatus error={state.status === "failed" ? word(state.code) : null} />
      {answer ? (
        <div className="space-y-2" aria-live="polite">
          {answer.texts.length === 0 ? <p className="text-sm text-slate-800">{t("noneLeft")}</p> : null}
          <ul className="space-y-2">
            {answer.texts.map((draft, index) => (
              <li key={`${index}-${draft.text}`} className="rounded-md border border-slate-200 bg-white p-3" data-testid="suggested-draft">
                <p className="whitespace-pre-wrap text-sm text-slate-900 [overflow-wrap:anywhere]" lang={answer.language}>
                  {draft.text}
                </p>
                <p className="mt-1 text-xs text-slate-700">
                  {t("length", { length: draft.length, limit: draft.limit })}
                  {draft.shortened ? ` · ${t("shortened")}` : ""}
                </p>
                <div className="mt-2 flex gap-2">
                  <Button
                    type="button"
                    className="min-h-9 px-3"
                    onClick={() => {
                      onKeep(draft.text, answer.language);
                      discard(index);
                    }}
                  >
                    {t("keep")}
                  </Button>
                  <Button type="button" variant="secondary" className="min-h-9 px-3" onClick={() => discard(index)}>
                    {t("discard")}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
          {answer.dropped.length > 0 ? (
            <p className="text-sm text-slate-700" data-testid="suggested-dropped">
              {t("dropped", { count: answer.dropped.length, reasons: [...new Set(answer.dropped.map((d) => t(`droppedReason.${d.reason}`)))].join(", ") })}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
