"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useRef, useState } from "react";
import { Button, Card, buttonClass } from "../../_components/ui";

export type IssuedLink = { email: string; url: string; expiresAt: string };

/** One link in a read-only box (select it by hand if the clipboard is not allowed) and a Copy button. */
function CopyLink({ link }: { link: IssuedLink }) {
  const t = useTranslations("admin.members");
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another host): the link stays selected for Ctrl+C.
      setCopied(false);
    }
  };
  return (
    <li className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium break-words text-slate-900">
        {t("linkFor", { email: link.email })}
      </label>
      <div className="flex min-w-0 gap-2">
        <input
          id={id}
          ref={input}
          readOnly
          value={link.url}
          onFocus={(e) => e.currentTarget.select()}
          className="block min-h-10 w-full min-w-0 rounded-md border border-slate-400 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-900"
        />
        <Button type="button" variant="secondary" onClick={copy} aria-label={t("copyLabel", { email: link.email })}>
          {copied ? t("copied") : t("copy")}
        </Button>
      </div>
    </li>
  );
}

/**
 * The invitation links just made, to copy and pass on (they are shown once: only their
 * hashes are kept), with the whole list as a CSV file when there is one.
 */
export function InvitationLinks({ links, csv, onDismiss }: { links: IssuedLink[]; csv?: string; onDismiss: () => void }) {
  const t = useTranslations("admin.members");
  const format = useFormatter();
  const headingId = useId();
  if (links.length === 0) return null;
  const until = links.map((l) => l.expiresAt).sort()[0]!;
  return (
    <Card aria-labelledby={headingId} className="space-y-3" data-testid="invitation-links">
      <h2 id={headingId} className="text-lg font-semibold text-slate-900">
        {t("linksTitle")}
      </h2>
      <p className="text-sm text-slate-700">{t("linksDescription", { date: format.dateTime(new Date(until), { dateStyle: "long" }) })}</p>
      <ul className="space-y-3">
        {links.map((link) => (
          <CopyLink key={link.url} link={link} />
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        {csv ? (
          <a
            href={`data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${csv}`)}`}
            download="invitation-links.csv"
            className={buttonClass("secondary")}
          >
            {t("downloadLinks")}
          </a>
        ) : null}
        <Button type="button" variant="ghost" onClick={onDismiss}>
          {t("dismissLinks")}
        </Button>
      </div>
    </Card>
  );
}
