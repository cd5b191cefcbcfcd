import { z } from "zod";
import { scimRoute } from "@/lib/auth/guard";
import { deleteScimGroup, getQuerySchema, getScimGroup, groupBodySchema, patchBodySchema, patchScimGroup, replaceScimGroup, scimJson, scimNoContent } from "@/lib/scim";

const params = z.object({ id: z.string().min(1).max(100) });

export const GET = scimRoute({ params, query: getQuerySchema }, async ({ db, scope, params, query, baseUrl }) => scimJson(await getScimGroup(db, scope, params.id, query, baseUrl)));

export const PUT = scimRoute({ params, body: groupBodySchema }, async ({ db, scope, params, body, baseUrl }) => scimJson(await replaceScimGroup(db, scope, params.id, body, baseUrl)));

/** PATCH: members added or removed, displayName replaced; answered 204 as Entra ID expects. */
export const PATCH = scimRoute({ params, body: patchBodySchema }, async ({ db, scope, params, body }) => {
  await patchScimGroup(db, scope, params.id, body.Operations);
  return scimNoContent();
});

/** DELETE: members lose what a mapping gave them; the group is gone. */
export const DELETE = scimRoute({ params }, async ({ db, scope, params }) => {
  await deleteScimGroup(db, scope, params.id);
  return scimNoContent();
});
