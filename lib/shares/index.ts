export * from "./schemas";
export { checkEmployeeText, textCheckResultSchema, type TextCheckResult } from "./check-text";
export { confirmIntentShare, createIntentShare, createShares } from "./create";
export { withTrackedLink } from "./share-text";
export { cancelShare, editShare, getMyShare, listMyShares, markPosted, retryShare, type MyShare } from "./my-shares";
export { suggestShareTime } from "./timing";
export { personalStartingVariant, startingVariant } from "./variants";
export { listShareAccounts, type ShareAccount } from "./accounts";
