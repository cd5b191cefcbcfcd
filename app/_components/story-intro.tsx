import clsx from "clsx";
import type { FeedStory } from "@/lib/stories/feed";

/** A story's title and summary as an employee meets it, in the story's own language; `clamp` keeps cards even. */
export function StoryIntro({ story, clamp = false }: { story: Pick<FeedStory, "title" | "summary" | "language">; clamp?: boolean }) {
  return (
    <>
      <h2 className={clsx("text-lg font-semibold text-slate-900", clamp && "line-clamp-3")} lang={story.language}>
        {story.title}
      </h2>
      <p className={clsx("text-slate-700", clamp && "line-clamp-3")} lang={story.language}>
        {story.summary}
      </p>
    </>
  );
}

/**
 * The story's picture as Ripple stores it (never the outside address), 16:9, loaded lazily
 * below the fold; a calm placeholder when there is no stored copy, never a broken image.
 */
export function StoryImage({ story, alt, eager = false, className }: { story: Pick<FeedStory, "imageKey">; alt: string; eager?: boolean; className?: string }) {
  if (!story.imageKey) {
    return (
      <div className={clsx("flex aspect-video w-full items-center justify-center bg-linear-to-br from-slate-100 to-slate-200", className)} data-testid="story-image-placeholder">
        <svg aria-hidden="true" viewBox="0 0 24 24" className="h-10 w-10 text-slate-400" fill="none" stroke="currentColor" strokeWidth="1.5">
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <circle cx="9" cy="10" r="1.5" />
          <path d="m4 17 5-5 4 4 3-3 4 4" />
        </svg>
      </div>
    );
  }
  return (
    <img
      src={`/media/${story.imageKey}`}
      alt={alt}
      width={640}
      height={360}
      loading={eager ? "eager" : "lazy"}
      decoding="async"
      className={clsx("aspect-video w-full bg-slate-100 object-cover", className)}
    />
  );
}
