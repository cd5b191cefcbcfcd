import { scimRoute } from "@/lib/auth/guard";
import { scimJson, serviceProviderConfig } from "@/lib/scim";

/** GET /scim/v2/ServiceProviderConfig: what this SCIM endpoint supports. */
export const GET = scimRoute({}, async ({ baseUrl }) => scimJson(serviceProviderConfig(baseUrl)));
