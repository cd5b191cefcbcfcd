import { scimRoute } from "@/lib/auth/guard";
import { createScimUser, listQuerySchema, listScimUsers, scimJson, userBodySchema } from "@/lib/scim";

/** GET /scim/v2/Users: the organisation's users, filtered by `userName eq` or `externalId eq`, paged. */
export const GET = scimRoute({ query: listQuerySchema }, async ({ db, scope, query, baseUrl }) => scimJson(await listScimUsers(db, scope, query, baseUrl)));

/** POST /scim/v2/Users: provisions a person (invited as an employee). */
export const POST = scimRoute({ body: userBodySchema }, async ({ db, scope, body, baseUrl }) => {
  const user = await createScimUser(db, scope, body, baseUrl);
  return scimJson(user, 201, { location: user.meta.location });
});
