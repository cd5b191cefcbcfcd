import { scimRoute } from "@/lib/auth/guard";
import { asList, scimJson, scimSchemas } from "@/lib/scim";

/** GET /scim/v2/Schemas: the attributes of User and Group that Ripple keeps. */
export const GET = scimRoute({}, async ({ baseUrl }) => scimJson(asList(scimSchemas(baseUrl))));
