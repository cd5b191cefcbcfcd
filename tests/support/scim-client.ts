import * as groupRoute from "@/app/scim/v2/Groups/[id]/route";
import * as groupsRoute from "@/app/scim/v2/Groups/route";
import * as resourceTypesRoute from "@/app/scim/v2/ResourceTypes/route";
import * as schemasRoute from "@/app/scim/v2/Schemas/route";
import * as spConfigRoute from "@/app/scim/v2/ServiceProviderConfig/route";
import * as userRoute from "@/app/scim/v2/Users/[id]/route";
import * as usersRoute from "@/app/scim/v2/Users/route";

/**
 * Calls the real /scim/v2 route handlers as Next.js would: a Request with the bearer
 * token and a JSON body, the dynamic [id] segment as params. (Callers mock
 * @/lib/auth/config, since there is no Next.js request to read a session from.)
 */
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>;

const collections: Record<string, Module> = {
  Users: usersRoute,
  Groups: groupsRoute,
  ServiceProviderConfig: spConfigRoute,
  ResourceTypes: resourceTypesRoute,
  Schemas: schemasRoute,
};
const items: Record<string, Module> = { Users: userRoute, Groups: groupRoute };

export type ScimAnswer = { status: number; contentType: string | null; json: Record<string, unknown> & { Resources?: Array<Record<string, unknown>> } };

export async function scimCall(token: string | null, method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  const url = new URL(path, "http://localhost:3999/scim/v2/");
  const [, , , resource, id, ...rest] = url.pathname.split("/");
  if (rest.length > 0 || !resource) throw new Error(`No SCIM route for ${path}`);
  const module = id === undefined ? collections[resource] : items[resource];
  const handler = module?.[method as keyof Module];
  if (!handler) throw new Error(`No ${method} handler for ${path}`);
  const headers: Record<string, string> = { accept: "application/scim+json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/scim+json";
  const response = await handler(
    new Request(url, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) }),
    { params: Promise.resolve<Record<string, string>>(id === undefined ? {} : { id: decodeURIComponent(id) }) },
  );
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), json: text ? JSON.parse(text) : {} };
}
