import type { FeedStory } from "@/lib/stories/feed";

/** A story's title and summary as an employee meets it, in the story's own language. */
export function StoryIntro({ story }: { story: Pick<FeedStory, "title" | "summary" | "language"> }) {
  return (
    <>
      <h2 className="text-lg font-semibold text-slate-900" lang={story.language}>
        {story.title}
      </h2>
      <p className="text-slate-700" lang={story.language}>
        {story.summary}
      </p>
    </>
  );
}
