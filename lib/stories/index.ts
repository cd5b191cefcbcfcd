export { storyStatusIds, type StoryStatus } from "@/db/schema";
export * from "./schemas";
export * from "./queries";
export { createStory, updateStory } from "./write";
export { moveDaysSchema, moveStoryWindow } from "./move-window";
export { approveStory, archiveStory, rejectStory, runDueLifecycle, submitStory } from "./lifecycle";
export { storyHistory } from "./transitions";
export { previewForEditor, suggestStory } from "./suggest";
export { ownMediaKey, queueStoryImage, storeStoryImage, storyImageJobId, sweepStoryImages } from "./story-image";
