import { scimRoute } from "@/lib/auth/guard";
import { createScimGroup, groupBodySchema, listQuerySchema, listScimGroups, scimJson } from "@/lib/scim";

/** GET /scim/v2/Groups: filtered by `displayName eq` or `externalId eq`, paged; `excludedAttributes=members` honoured. */
export const GET = scimRoute({ query: listQuerySchema }, async ({ db, scope, query, baseUrl }) => scimJson(await listScimGroups(db, scope, query, baseUrl)));

/** POST /scim/v2/Groups: stored unmapped until an admin maps it to a team or a role. */
export const POST = scimRoute({ body: groupBodySchema }, async ({ db, scope, body, baseUrl }) => {
  const group = await createScimGroup(db, scope, body, baseUrl);
  return scimJson(group, 201, { location: group.meta.location });
});
