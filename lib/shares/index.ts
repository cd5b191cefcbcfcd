export * from "./schemas";
export { checkEmployeeText, sampleTrackedUrl, textCheckResultSchema, type TextCheckResult } from "./check-text";
export { confirmIntentShare, createIntentShare, createShares, nextPlacements } from "./create";
export { textAsPosted, withTrackedLink } from "./post-text";
export { cancelShare, editShare, getMyShare, listMyShares, markPosted, retryShare, type MyShare } from "./my-shares";
export { suggestShareTime } from "./timing";
export { composeSuggestions, personalStartingVariant, startingVariant, type NetworkSuggestions, type Suggestion } from "./variants";
export { listShareAccounts, type ShareAccount } from "./accounts";
export { outcomeSettled, shareOutcomes, type ShareOutcome } from "./share-outcomes";
