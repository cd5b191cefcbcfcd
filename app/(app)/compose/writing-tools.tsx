"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { Locale } from "@/lib/i18n/locales";
import type { NetworkId } from "@/lib/networks";
import { Button, CheckboxField, Field, LiveStatus, inputClass } from "../../_components/ui";
import { useErrorWords } from "../../_components/use-action-feedback";
import { useAction } from "../../_components/use-form-action";
import { useWriting } from "../../_components/use-writing";
import { writingExamplesAction } from "./actions";

const tones = ["personal", "professional", "enthusiastic", "brief"] as const;
type Tone = (typeof tones)[number];
type Draft = { text: string; length: number; limit: number };

/** Whether writing help can be used now (`reason` says why not), and the person's own opt-in to style examples. */
export type ComposeWritingHelp = { available: boolean; reason: "budget" | null; examples: boolean };

/**
 * "In my words" in a chosen tone, and Danish ⇄ English, for the text in the composer. The
 * model's words stream in beside the text; only a checked result replaces it (with a way
 * back), and the person still sends it themselves.
 */
export function WritingTools({
  storyId,
  network,
  text,
  language,
  help,
  onText,
}: {
  storyId: string;
  network: NetworkId;
  text: string;
  language: Locale;
  help: ComposeWritingHelp;
  onText: (text: string, language: Locale) => void;
}) {
  const t = useTranslations("writing");
  const word = useErrorWords();
  const rewrite = useWriting<Draft>("in-my-words");
  const translate = useWriting<Draft>("translate");
  const [tone, setTone] = useState<Tone>("personal");
  const [examples, setExamples] = useState(help.examples);
  const [before, setBefore] = useState<{ text: string; language: Locale } | null>(null);
  const optIn = useAction(writingExamplesAction);
  const ids = { tone: useId(), examples: useId() };
  const other: Locale = language === "da" ? "en" : "da";
  const busy = rewrite.state.status === "writing" || translate.state.status === "writing";
  const streaming = rewrite.state.status === "writing" ? rewrite.state : translate.state.status === "writing" ? translate.state : null;
  const failed = rewrite.state.status === "failed" ? rewrite.state.code : translate.state.status === "failed" ? translate.state.code : null;
  const disabled = busy || !help.available || text.trim() === "";

  const apply = (result: Draft | null, nextLanguage: Locale) => {
    if (!result) return;
    setBefore({ text, language });
    onText(result.text, nextLanguage);
  };

  return (
    <div className="space-y-2 rounded-md bg-slate-50 p-3" data-testid={`writing-${network}`}>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t("tone")} htmlFor={ids.tone} className="w-44">
          <select id={ids.tone} value={tone} onChange={(e) => setTone(e.target.value as Tone)} className={inputClass}>
            {tones.map((value) => (
              <option key={value} value={value}>
                {t(`tones.${value}`)}
              </option>
            ))}
          </select>
        </Field>
        <Button
          type="button"
          variant="secondary"
          className="min-h-9 px-3"
          disabled={disabled}
          onClick={async () => {
            translate.reset();
            apply(await rewrite.run({ storyId, network, text, language, tone }), language);
          }}
        >
          {t("inMyWords")}
        </Button>
        <Button
          type="button"
          variant="secondary"
          className="min-h-9 px-3"
          disabled={disabled}
          onClick={async () => {
            rewrite.reset();
            apply(await translate.run({ storyId, network, text, to: other }), other);
          }}
        >
          {t(other === "en" ? "toEnglish" : "toDanish")}
        </Button>
        {before && !busy ? (
          <Button
            type="button"
            variant="ghost"
            className="min-h-9 px-3"
            onClick={() => {
              onText(before.text, before.language);
              setBefore(null);
            }}
          >
            {t("undo")}
          </Button>
        ) : null}
      </div>
      <CheckboxField
        id={ids.examples}
        checked={examples}
        disabled={optIn.pending}
        onChange={(e) => {
          const on = e.target.checked;
          setExamples(on);
          optIn.run({ on }, (res) => {
            if (!res.ok) setExamples(!on);
          });
        }}
        label={t("examples")}
        hint={t("examplesHint")}
      />
      {!help.available ? <p className="text-sm text-slate-700">{t("budget")}</p> : null}
      {streaming ? (
        <p aria-live="polite" aria-busy="true" className="whitespace-pre-wrap rounded-md border border-dashed border-slate-300 bg-white p-3 text-sm text-slate-800" data-testid="writing-stream">
          {streaming.text || t("waiting")}
        </p>
      ) : null}
      <LiveStatus error={failed ? `${word(failed)} ${t("keptYours")}` : null} success={before && !busy && !failed ? t("replaced") : null} />
    </div>
  );
}
