import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicRoute } from "@/lib/auth/guard";
import { appBaseUrl } from "@/lib/env/app-url";

/** The OpenAPI 3.1 document of API v1. Public: documentation reveals no tenant data. */
export const GET = publicRoute(async () =>
  Response.json(buildOpenApiDocument(appBaseUrl()), {
    headers: { "cache-control": "public, max-age=300" },
  }),
);
