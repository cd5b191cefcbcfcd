"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import type { NetworkId } from "@/lib/networks";
import { Badge, buttonClass } from "../../_components/ui";
import { shareOutcomesAction } from "./actions";

/** queued false: saved, but its publish job could not be queued yet (the reconciler queues it within a minute). */
export type CreatedShare = { id: string; network: NetworkId; connectionId: string | null; scheduledAt: string; queued: boolean | null };

/** Asked every second at first, then every three; after about two minutes the page stops asking and says where to look. */
const DELAYS_MS = [...Array<number>(10).fill(1_000), ...Array<number>(35).fill(3_000)];

type Outcome = { id: string; status: keyof typeof tones; scheduledAt: string; externalUrl: string | null; errorCode: string | null; settled: boolean };

const tones = { scheduled: "blue", publishing: "amber", published: "green", failed: "red", needs_attention: "amber", cancelled: "slate" } as const;

/**
 * What became of each post just shared, on the page the person is on: posted (with the
 * link), scheduled for a time in their zone, or failed and why. Asks the server until each
 * has settled, for a bounded time.
 */
export function ShareOutcomes({ created, accounts, timeZone }: { created: CreatedShare[]; accounts: Array<{ id: string; handle: string }>; timeZone: string }) {
  const t = useTranslations("compose.outcome");
  const tn = useTranslations("networks");
  const tr = useTranslations("shareErrors");
  const format = useFormatter();
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const ask = async (round: number) => {
      const result = await shareOutcomesAction({ ids: created.map((c) => c.id) });
      if (stopped) return;
      if (result.ok) {
        setOutcomes(Object.fromEntries(result.data.map((o) => [o.id, o])));
        if (result.data.length === created.length && result.data.every((o) => o.settled)) return;
      }
      if (round >= DELAYS_MS.length) setGaveUp(true);
      else timer = setTimeout(() => void ask(round + 1), DELAYS_MS[round]);
    };
    timer = setTimeout(() => void ask(0), 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [created]);

  return (
    <div className="space-y-4">
      <h3 className="text-base font-semibold text-slate-900">{t("title")}</h3>
      <ul className="space-y-2" aria-live="polite">
        {created.map((share) => {
          const outcome = outcomes[share.id];
          const status = outcome?.status ?? "scheduled";
          const settled = outcome?.settled ?? false;
          const handle = accounts.find((a) => a.id === share.connectionId)?.handle;
          const when = format.dateTime(new Date(outcome?.scheduledAt ?? share.scheduledAt), { dateStyle: "full", timeStyle: "short", timeZone });
          return (
            <li key={share.id} className="space-y-1 rounded-md border border-slate-200 p-3" data-testid={`outcome-${share.network}`}>
              <p className="break-all text-sm font-medium text-slate-900">
                {tn(share.network)}
                {handle ? ` · ${handle}` : ""}
              </p>
              {share.queued === false && status === "scheduled" ? (
                <p role="note" className="text-sm text-slate-800" data-testid="saved-not-queued">
                  {t("savedNotQueued")}
                </p>
              ) : null}
              {status === "published" ? (
                <p className="flex flex-wrap items-center gap-2 text-sm">
                  <Badge tone="green">{t("posted")}</Badge>
                  {outcome?.externalUrl ? (
                    <a href={outcome.externalUrl} target="_blank" rel="noreferrer noopener" className="font-medium text-brand-700 underline">
                      {t("seePost", { network: tn(share.network) })}
                    </a>
                  ) : null}
                </p>
              ) : status === "scheduled" && settled ? (
                <p className="flex flex-wrap items-center gap-2 text-sm text-slate-900">
                  <Badge tone="blue">{t("scheduledBadge")}</Badge>
                  {t("scheduledFor", { when })}
                </p>
              ) : status === "scheduled" || status === "publishing" ? (
                <p className="flex flex-wrap items-center gap-2 text-sm text-slate-800">
                  <Badge tone="amber">{t("posting")}</Badge>
                  {gaveUp ? t("stillGoing") : null}
                </p>
              ) : (
                <div className="space-y-1 text-sm">
                  <Badge tone={tones[status]}>{t(status)}</Badge>
                  <p className="text-red-900">{outcome?.errorCode && tr.has(outcome.errorCode) ? tr(outcome.errorCode) : tr("unknown")}</p>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Link href="/queue" className={buttonClass("secondary")}>
          {t("myShares")}
        </Link>
        <Link href="/feed" className={buttonClass("secondary")}>
          {t("backToFeed")}
        </Link>
      </div>
    </div>
  );
}
