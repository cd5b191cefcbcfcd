"use client";

import clsx from "clsx";
import { useTranslations } from "next-intl";
import type { NetworkId } from "@/lib/networks";
import { appearanceOf, postedText, postSegments, type LinkPlacement, type PostAppearance } from "@/lib/networks/appearance";

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
      <div className="mt-2" data-testid="preview-card">
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
      <div className="mt-2 rounded-md border border-slate-200 bg-slate-50 p-2" data-testid="preview-card">
        <p className="line-clamp-2 text-sm font-semibold text-slate-900">{card.title}</p>
        <p className="text-xs text-slate-700">{domain}</p>
      </div>
    );
  }
  return (
    <div className="mt-2 overflow-hidden rounded-lg border border-slate-200" data-testid="preview-card">
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

function Avatar({ name, look, small }: { name: string; look: PostAppearance; small?: boolean }) {
  return (
    <span aria-hidden="true" className={clsx("flex shrink-0 items-center justify-center rounded-full font-semibold text-white", small ? "h-7 w-7 text-xs" : "h-9 w-9 text-sm")} style={{ backgroundColor: look.color }}>
      {name.trim().charAt(0).toUpperCase() || "?"}
    </span>
  );
}

/** A text with links and hashtags marked up the network's way. */
function MarkedText({ text, look, testId }: { text: string; look: PostAppearance; testId: string }) {
  return (
    <p className="whitespace-pre-wrap break-words text-sm text-slate-900 [overflow-wrap:anywhere]" data-testid={testId}>
      {postSegments(text, look).map((s, i) =>
        s.kind === "text" ? (
          <span key={i}>{s.text}</span>
        ) : (
          <span key={i} style={{ color: look.color }} className={s.kind === "link" ? "underline" : undefined}>
            {s.text}
          </span>
        ),
      )}
    </p>
  );
}

/**
 * The post as the network will show it: who it is from, the text as posted (tracked link
 * and disclosure tag in, links and hashtags marked up the network's way) and the link card,
 * where the organisation's placement puts the link: a card, the URL in the text (a card only
 * where the network makes one itself), or the post without it and the link as the author's
 * first comment under it. Drawn from props alone, so it follows every keystroke.
 */
export function PostPreview({
  network,
  author,
  text,
  card,
  placement = "card",
  link,
}: {
  network: NetworkId;
  author: { name: string; handle: string | null };
  text: string;
  card: CardFacts;
  placement?: LinkPlacement;
  /** The tracked link in `text` (a sample of its real length until the share has its own). */
  link?: string;
}) {
  const t = useTranslations("compose.preview");
  const tn = useTranslations("networks");
  const look = appearanceOf(network);
  const inComment = placement === "first_comment" && Boolean(link);
  const shown = inComment ? postedText({ text, trackedUrl: link!, placement }) : text;
  const withCard = placement === "card" || (placement === "text" && look.cardFromText);
  return (
    <figure className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid={`preview-${network}`} data-placement={placement}>
      <figcaption className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-700">{t("title", { network: tn(network) })}</figcaption>
      <div className="flex items-center gap-2">
        <Avatar name={author.name} look={look} />
        <div className="min-w-0 leading-tight">
          <p className="truncate text-sm font-semibold text-slate-900">{author.name}</p>
          {look.author === "nameAndHandle" && author.handle ? <p className="truncate text-xs text-slate-700">{author.handle}</p> : null}
        </div>
      </div>
      <div className="mt-2">
        <MarkedText text={shown} look={look} testId="preview-text" />
      </div>
      {withCard ? <LinkCard network={network} card={card} /> : null}
      {inComment ? (
        <div className="mt-3 border-l-2 border-slate-200 pl-3" data-testid="preview-comment">
          <p className="mb-1 text-xs font-medium text-slate-700">{t("firstComment")}</p>
          <div className="flex items-start gap-2">
            <Avatar name={author.name} look={look} small />
            <div className="min-w-0 flex-1">
              <p className="truncate text-xs font-semibold text-slate-900">{author.name}</p>
              <MarkedText text={link!} look={look} testId="preview-comment-text" />
              {look.cardFromText ? <LinkCard network={network} card={card} /> : null}
            </div>
          </div>
        </div>
      ) : null}
      {look.linkCountsAs ? <p className="mt-2 text-xs text-slate-700">{t("linkCounts", { network: tn(network), length: look.linkCountsAs })}</p> : null}
    </figure>
  );
}
