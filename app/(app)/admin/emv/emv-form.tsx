"use client";

import clsx from "clsx";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { NetworkId } from "@/lib/networks";
import type { EmvRate, EmvRates } from "@/lib/reach/emv";
import { TableFrame } from "../../../_components/data-table";
import { Field, Options, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveEmvRatesAction } from "./actions";

type RateKey = keyof EmvRate;
const rateKeys: RateKey[] = ["cpm", "cpc", "perEngagement"];

/** The per-network price table; amounts stay text while typed and are parsed on the server (a decimal comma is fine). */
export function EmvForm({
  networks,
  currencies,
  initial,
}: {
  networks: readonly NetworkId[];
  currencies: string[];
  initial: { currency: string; rates: EmvRates };
}) {
  const t = useTranslations("emv");
  const tn = useTranslations("networks");
  const [currency, setCurrency] = useState(initial.currency);
  const [rates, setRates] = useState(() =>
    Object.fromEntries(networks.map((n) => [n, Object.fromEntries(rateKeys.map((k) => [k, String(initial.rates[n][k])]))])) as Record<NetworkId, Record<RateKey, string>>,
  );
  const { result, pending, submit } = useAction(saveEmvRatesAction);
  const feedback = useActionFeedback(result);
  const currencyId = useId();
  const hintId = useId();
  const failed = (key: string) => !!result && !result.ok && !!result.fieldErrors?.[key];
  const amountErrors = networks.some((n) => rateKeys.some((k) => failed(`rates.${n}.${k}`)));

  return (
    <form noValidate className="space-y-4" onSubmit={submit({ currency, rates })}>
      <Section card title={t("tableTitle")} className="space-y-4">
        <div className="max-w-xs">
          <Field label={t("currency")} htmlFor={currencyId} hint={t("currencyHint")} errors={failed("currency") ? [t("currencyError")] : undefined}>
            <select id={currencyId} value={currency} onChange={(e) => setCurrency(e.target.value)} className={inputClass} aria-invalid={failed("currency") || undefined}>
              <Options options={currencies} />
            </select>
          </Field>
        </div>
        <TableFrame>
          <table className="w-full min-w-[36rem] text-sm" aria-describedby={hintId}>
            <thead>
              <tr className="border-b border-slate-200 text-left text-slate-700">
                <th scope="col" className="py-2 pr-3 font-medium">
                  {t("network")}
                </th>
                {rateKeys.map((k) => (
                  <th key={k} scope="col" className="px-2 py-2 font-medium">
                    {t(k)} <span className="font-normal">({currency})</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {networks.map((n) => (
                <tr key={n} className="border-b border-slate-100">
                  <th scope="row" className="py-2 pr-3 text-left font-medium text-slate-900">
                    {tn(n)}
                  </th>
                  {rateKeys.map((k) => (
                    <td key={k} className="px-2 py-2">
                      <input
                        inputMode="decimal"
                        aria-label={`${tn(n)}: ${t(k)}`}
                        aria-invalid={failed(`rates.${n}.${k}`) || undefined}
                        value={rates[n][k]}
                        onChange={(e) => setRates((r) => ({ ...r, [n]: { ...r[n], [k]: e.target.value } }))}
                        className={clsx(inputClass, "text-right tabular-nums", failed(`rates.${n}.${k}`) && "border-red-700")}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
        <p id={hintId} className={clsx("text-sm", amountErrors ? "font-medium text-red-800" : "text-slate-700")} role={amountErrors ? "alert" : undefined}>
          {amountErrors ? t("amountError") : t("amountHint")}
        </p>
      </Section>
      <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved", { version: result.data.version })} error={feedback.message} />
    </form>
  );
}
