import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicRoute } from "@/lib/auth/guard";
import { envFor } from "@/lib/env";

/** The OpenAPI 3.1 document of API v1. Public: documentation reveals no tenant data. */
export const GET = publicRoute(async () => {
  const { APP_URL } = envFor(["APP_URL"]);
  return Response.json(buildOpenApiDocument(APP_URL.replace(/\/+$/, "")), {
    headers: { "cache-control": "public, max-age=300" },
  });
});
