"use client";

import clsx from "clsx";
import { useTranslations } from "next-intl";
import type { NetworkId } from "@/lib/networks";
import { appearanceOf, postSegments } from "@/lib/networks/appearance";

/** The story's link card as the networks draw it from the story's page. */
export type CardFacts = { title: string; description: string; domain: string | null; image: string | null };

/** A neutral stand-in where the story has no stored image: never a broken or hot-linked one. */
function ImageBox({ src, className }: { src: string | null; className?: string }) {
  return src ? (
    <img src={src} alt="" className={clsx("aspect-[1.91/1] w-full bg-slate-100 object-cover", className)} />
  ) : (
    <div aria-hidden="true" data-testid="card-placeholder" className={clsx("flex aspect-[1.91/1] w-full items-center justify-center bg-gradient-to-br from-slate-100 to-slate-200", className)}>
      <svg viewBox="0 0 24 24" className="h-8 w-8 text-slate-400" fill="none" stroke="currentColor" strokeWidth="1.5">
        <rect x="3" y="5" width="18" height="14" rx="2" />
        <circle cx="9" cy="10" r="1.5" />
        <path d="m4 17 5-5 4 4 3-3 4 4" />
      </svg>
    </div>
  );
}

function LinkCard({ network, card }: { network: NetworkId; card: CardFacts }) {
  const t = useTranslations("compose.preview");
  const shape = appearanceOf(network).card;
  if (!shape) return null;
  const domain = card.domain ?? "";
  if (shape.layout === "overlay") {
    return (
      <div className="mt-2">
        <div className="relative overflow-hidden rounded-xl border border-slate-200">
          <ImageBox src={shape.image ? card.image : null} />
          <span className="absolute bottom-2 left-2 max-w-[85%] truncate rounded bg-black/75 px-1.5 py-0.5 text-xs text-white">{card.title}</span>
        </div>
        <p className="mt-1 text-xs text-slate-700">{t("from", { domain })}</p>
      </div>
    );
  }
  if (shape.layout === "compact") {
    return (
      <div className="mt-2 rounded-md border border-slate-200 bg-slate-50 p-2">
        <p className="line-clamp-2 text-sm font-semibold text-slate-900">{card.title}</p>
        <p className="text-xs text-slate-700">{domain}</p>
      </div>
    );
  }
  return (
    <div className="mt-2 overflow-hidden rounded-lg border border-slate-200">
      {shape.image ? <ImageBox src={card.image} /> : null}
      <div className="space-y-0.5 bg-slate-50 p-2">
        {shape.domainFirst ? <p className="text-xs uppercase text-slate-700">{domain}</p> : null}
        <p className="line-clamp-2 text-sm font-semibold text-slate-900">{card.title}</p>
        {shape.description && card.description ? <p className="line-clamp-2 text-xs text-slate-700">{card.description}</p> : null}
        {shape.domainFirst ? null : <p className="text-xs text-slate-700">{domain}</p>}
      </div>
    </div>
  );
}

/**
 * The post as the network will show it: who it is from, the text as posted (tracked link
 * and disclosure tag in, links and hashtags marked up the network's way) and the link card.
 * Drawn from props alone, so it follows every keystroke without asking the server.
 */
export function PostPreview({ network, author, text, card }: { network: NetworkId; author: { name: string; handle: string | null }; text: string; card: CardFacts }) {
  const t = useTranslations("compose.preview");
  const tn = useTranslations("networks");
  const look = appearanceOf(network);
  const segments = postSegments(text, look);
  return (
    <figure className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid={`preview-${network}`}>
      <figcaption className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-700">{t("title", { network: tn(network) })}</figcaption>
      <div className="flex items-center gap-2">
        <span aria-hidden="true" className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full text-sm font-semibold text-white" style={{ backgroundColor: look.color }}>
          {author.name.trim().charAt(0).toUpperCase() || "?"}
        </span>
        <div className="min-w-0 leading-tight">
          <p className="truncate text-sm font-semibold text-slate-900">{author.name}</p>
          {look.author === "nameAndHandle" && author.handle ? <p className="truncate text-xs text-slate-700">{author.handle}</p> : null}
        </div>
      </div>
      <p className="mt-2 whitespace-pre-wrap break-words text-sm text-slate-900" data-testid="preview-text">
        {segments.map((s, i) =>
          s.kind === "text" ? (
            <span key={i}>{s.text}</span>
          ) : (
            <span key={i} style={{ color: look.color }} className={s.kind === "link" ? "underline" : undefined}>
              {s.text}
            </span>
          ),
        )}
      </p>
      <LinkCard network={network} card={card} />
      {look.linkCountsAs ? <p className="mt-2 text-xs text-slate-700">{t("linkCounts", { network: tn(network), length: look.linkCountsAs })}</p> : null}
    </figure>
  );
}
