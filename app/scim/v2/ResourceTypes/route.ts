import { scimRoute } from "@/lib/auth/guard";
import { asList, resourceTypes, scimJson } from "@/lib/scim";

/** GET /scim/v2/ResourceTypes: User and Group. */
export const GET = scimRoute({}, async ({ baseUrl }) => scimJson(asList(resourceTypes(baseUrl))));
