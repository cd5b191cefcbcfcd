export * from "./errors";
export * from "./schemas";
export { asList, resourceTypes, schemas as scimSchemas, serviceProviderConfig } from "./discovery";
export { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from "./users";
export { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from "./groups";
export { groupMappingSchema, listDirectoryGroups, mapDirectoryGroup, type DirectoryGroupRow } from "./mapping";
export { createScimToken, currentScimToken, revokeScimToken, verifyScimToken, type ScimTokenStatus } from "./tokens";
