import { z } from "zod";
import { scimRoute } from "@/lib/auth/guard";
import { deleteScimUser, getScimUser, patchBodySchema, patchScimUser, replaceScimUser, scimJson, scimNoContent, userBodySchema } from "@/lib/scim";

const params = z.object({ id: z.string().min(1).max(100) });

export const GET = scimRoute({ params }, async ({ db, scope, params, baseUrl }) => scimJson(await getScimUser(db, scope, params.id, baseUrl)));

/** PUT: the whole user; `active: false` deactivates. */
export const PUT = scimRoute({ params, body: userBodySchema }, async ({ db, scope, params, body, baseUrl }) => scimJson(await replaceScimUser(db, scope, params.id, body, baseUrl)));

/** PATCH: Entra ID's and Okta's PatchOp forms. */
export const PATCH = scimRoute({ params, body: patchBodySchema }, async ({ db, scope, params, body, baseUrl }) =>
  scimJson(await patchScimUser(db, scope, params.id, body.Operations, baseUrl)),
);

/** DELETE: deactivates the member; the resource answers 404 afterwards. */
export const DELETE = scimRoute({ params }, async ({ db, scope, params }) => {
  await deleteScimUser(db, scope, params.id);
  return scimNoContent();
});
