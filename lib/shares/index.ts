export * from "./schemas";
export { checkEmployeeText, confirmIntentShare, createIntentShare, createShares, withTrackedLink } from "./create";
export { cancelShare, editShare, getMyShare, listMyShares, markPosted, retryShare, type MyShare } from "./my-shares";
export { suggestShareTime } from "./timing";
export { startingVariant } from "./variants";
export { listShareAccounts, type ShareAccount } from "./accounts";
