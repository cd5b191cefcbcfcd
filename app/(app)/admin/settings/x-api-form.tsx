"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { XApiSettings } from "@/lib/orgs/settings";
import { CheckboxField, Field, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveXApiAction } from "./actions";

type Prices = { post: number; postWithLink: number; read: number };

/**
 * Posting through X's paid API: on or off, a monthly budget in posts or money, and the unit
 * prices the meter charges (X's published ones unless the admin sets their own). The month's
 * use so far is shown above the form.
 */
export function XApiForm({ initial, published, usage }: { initial: XApiSettings; published: Prices & { currency: string; asOf: string }; usage: string }) {
  const t = useTranslations("admin.xApi");
  const [enabled, setEnabled] = useState(initial.enabled);
  const [kind, setKind] = useState(initial.budget.kind);
  const [amount, setAmount] = useState(initial.budget.amount === null ? "" : String(initial.budget.amount));
  const [ownPrices, setOwnPrices] = useState(initial.prices !== null);
  const [prices, setPrices] = useState<Record<keyof Prices, string>>(() => {
    const p = initial.prices ?? published;
    return { post: String(p.post), postWithLink: String(p.postWithLink), read: String(p.read) };
  });
  const { result, pending, submit } = useAction(saveXApiAction);
  const feedback = useActionFeedback(result);
  const ids = { enabled: useId(), kind: useId(), amount: useId(), own: useId(), post: useId(), postWithLink: useId(), read: useId() };
  const number = (value: string) => (value.trim() === "" ? null : Number(value.replace(",", ".")));
  const input = {
    enabled,
    budget: { kind, amount: number(amount) },
    prices: ownPrices ? { post: number(prices.post) ?? 0, postWithLink: number(prices.postWithLink) ?? 0, read: number(prices.read) ?? 0 } : null,
  };
  return (
    <form noValidate className="mt-6" onSubmit={submit(input)}>
      <Section card title={t("title")} description={t("description")}>
        <div className="space-y-4">
          <p role="status" className="rounded-md bg-slate-50 p-3 text-sm text-slate-800" data-testid="x-api-usage">
            {usage}
          </p>
          <CheckboxField id={ids.enabled} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} label={t("enabled")} hint={t("enabledHint")} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label={t("kind")} htmlFor={ids.kind}>
              <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as "posts" | "money")} className={inputClass}>
                <option value="money">{t("kindMoney", { currency: published.currency })}</option>
                <option value="posts">{t("kindPosts")}</option>
              </select>
            </Field>
            <Field label={t("amount")} htmlFor={ids.amount} hint={t("amountHint")} errors={feedback.field("budget")}>
              <input id={ids.amount} type="number" inputMode="decimal" min={0} step="any" value={amount} onChange={(e) => setAmount(e.target.value)} className={inputClass} />
            </Field>
          </div>
          <CheckboxField
            id={ids.own}
            checked={ownPrices}
            onChange={(e) => setOwnPrices(e.target.checked)}
            label={t("ownPrices")}
            hint={t("publishedPrices", { post: published.post, postWithLink: published.postWithLink, read: published.read, currency: published.currency, date: published.asOf })}
          />
          {ownPrices ? (
            <div className="grid gap-4 sm:grid-cols-3">
              {(["post", "postWithLink", "read"] as const).map((key) => (
                <Field key={key} label={t(`price.${key}`, { currency: published.currency })} htmlFor={ids[key]} errors={feedback.field("prices")}>
                  <input id={ids[key]} type="number" inputMode="decimal" min={0} step="any" value={prices[key]} onChange={(e) => setPrices({ ...prices, [key]: e.target.value })} className={inputClass} />
                </Field>
              ))}
            </div>
          ) : null}
          <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
        </div>
      </Section>
    </form>
  );
}
