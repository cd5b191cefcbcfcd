export { addFeed, feedInputSchema, listFeeds, normalizeFeedUrl, removeFeed, requestFeedFetch, setFeedActive, type FeedInput, type FeedWithCounts } from "./feeds";
export { FeedHttpError, fetchFeed, type FetchedFeed } from "./fetch-feed";
export { normalizeItemUrl } from "./normalize-url";
export { htmlToText, NotAFeedError, parseFeed, type FeedItem, type ParsedFeed } from "./parse";
export { enqueueFeedFetch, MAX_NEW_ITEMS_PER_POLL, pollDueFeeds, pollFeed, pollRound, type PollResult } from "./poll";
