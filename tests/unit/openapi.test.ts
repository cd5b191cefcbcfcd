import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { archiveStoryBodySchema, storyCreateBodySchema, storyResourceSchema } from "@/lib/api/resources";

/** The API v1 description: a valid OpenAPI 3.1 document, generated from the route schemas. */

type Json = Record<string, unknown>;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const document = buildOpenApiDocument("https://ripple.example.com");
const paths = document.paths as Record<string, Record<string, Json>>;
const schemas = (document.components as { schemas: Record<string, Json> }).schemas;

function operations() {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

/** validate() dereferences in place: give it a copy. */
async function check(doc: Json) {
  return validate(structuredClone(doc) as never);
}

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await check(document);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it("is checked by a validator that does catch mistakes", async () => {
    const broken = structuredClone(document) as Json & { paths: Record<string, Record<string, unknown>> };
    broken.paths["/api/v1/stories/{id}"]!.parameters = [];
    expect((await check(broken)).valid).toBe(false);
    const undescribed = structuredClone(document) as Json & { components: { responses: Record<string, Json> } };
    delete undescribed.components.responses.NotFound!.description;
    expect((await check(undescribed)).valid).toBe(false);
    const danglingRef = structuredClone(document) as Json & { components: { schemas: Record<string, Json> } };
    delete danglingRef.components.schemas.Story;
    expect((await check(danglingRef)).valid).toBe(false);
  });

  it("describes every v1 endpoint there is, and nothing else", () => {
    // The route handlers under app/api/v1, found on disk: a new endpoint without
    // documentation (or documentation of one that is gone) fails here.
    const root = path.join(process.cwd(), "app/api/v1");
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "route.ts") {
          const urlPath = `/api/v1/${path.relative(root, dir).split(path.sep).join("/")}`.replace(/\/$/, "").replace(/\[(\w+)\]/g, "{$1}");
          if (urlPath === "/api/v1/openapi.json") continue;
          for (const [, method] of readFileSync(full, "utf8").matchAll(/^export const (GET|POST|PUT|PATCH|DELETE)\b/gm)) routes.push(`${method} ${urlPath}`);
        }
      }
    };
    walk(root);
    expect(routes.length).toBeGreaterThanOrEqual(13);
    expect(
      operations()
        .map(({ path: p, method }) => `${method.toUpperCase()} ${p}`)
        .sort(),
    ).toEqual(routes.sort());
    expect(document.servers).toEqual([{ url: "https://ripple.example.com" }]);
  });

  it("gives every operation an id, bearer security, a success and problem+json refusals", () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(op.operationId as string);
      expect(op.security, where).toEqual([{ bearerAuth: [] }]);
      const responses = op.responses as Record<string, Json>;
      expect(Object.keys(responses).some((code) => /^2\d\d$/.test(code)), where).toBe(true);
      expect(responses["401"], where).toEqual({ $ref: "#/components/responses/Unauthorized" });
      if (path !== "/api/v1/me") expect(responses["403"], where).toEqual({ $ref: "#/components/responses/Forbidden" });
      if (path.includes("{id}")) expect(responses["404"], where).toEqual({ $ref: "#/components/responses/NotFound" });
      if (op.requestBody) expect(responses["422"], where).toEqual({ $ref: "#/components/responses/UnprocessableContent" });
    }
    expect(ids.size).toBe(operations().length);

    const components = document.components as { responses: Record<string, { content: Json }>; securitySchemes: Json };
    for (const [name, response] of Object.entries(components.responses)) {
      expect(response.content, name).toEqual({ "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } });
    }
    expect(components.securitySchemes.bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      description: "API token from Settings → API tokens or `npm run ripple -- token:create`",
    });
    // An integrator reads which problem types a refused token answers with.
    const unauthorized = (components.responses.Unauthorized as unknown as { description: string }).description;
    expect(unauthorized).toContain("urn:ripple:problem:token-revoked");
    expect(unauthorized).toContain("urn:ripple:problem:token-expired");
  });

  it("declares the Story schema with exactly the resource's fields, all required", () => {
    const story = schemas.Story!;
    const keys = Object.keys(storyResourceSchema.shape).sort();
    expect((story.required as string[]).sort()).toEqual(keys);
    expect(Object.keys(story.properties as Json).sort()).toEqual(keys);
    expect(story.additionalProperties).toBe(false);
    expect((story.properties as Record<string, Json>).updatedAt).toMatchObject({ type: "string", format: "date-time" });
  });

  it("has the components others rely on, RFC 9457 problems included", () => {
    for (const name of ["Story", "StoryInput", "StoryPatch", "Topic", "Team", "Problem"]) expect(schemas[name], name).toBeDefined();
    expect(Object.keys(schemas.Problem!.properties as Json).sort()).toEqual(["detail", "errors", "instance", "status", "title", "type"]);
    expect(schemas.Topic!.required).toEqual(["id", "name", "slug", "storyCount"]);
    expect(schemas.Team!.required).toEqual(["id", "name", "parentId"]);
    expect(schemas.StoryList!.properties).toMatchObject({ data: { type: "array", items: { $ref: "#/components/schemas/Story" } } });
  });

  it("documents request bodies as the zod schemas accept them", () => {
    const input = schemas.StoryInput!;
    // Defaults make a field optional on input: only title and language must be sent.
    expect(input.required).toEqual(["title", "language"]);
    expect(Object.keys(input.properties as Json).sort()).toEqual(Object.keys(storyCreateBodySchema.shape).sort());
    expect(input.additionalProperties).toBe(false);
    const properties = input.properties as Record<string, Json>;
    expect(properties.title).toMatchObject({ type: "string", maxLength: 200 });
    expect(properties.canonicalUrl).toEqual({ anyOf: [{ type: "string", maxLength: 2048, format: "uri" }, { type: "null" }] });
    expect(properties.publishAt).toEqual({ anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] });
    expect(schemas.StoryPatch!.required).toBeUndefined();
    expect(Object.keys(schemas.ArchiveRequest!.properties as Json)).toEqual(Object.keys(archiveStoryBodySchema.shape));

    const list = paths["/api/v1/stories"]!.get!.parameters as Json[];
    expect(list.map((p) => p.name)).toEqual(["status", "topicId", "teamId", "language", "q", "limit", "cursor"]);
    expect(list.find((p) => p.name === "limit")).toMatchObject({ in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } });
    expect(paths["/api/v1/stories/{id}"]!.parameters).toEqual([expect.objectContaining({ name: "id", in: "path", required: true })]);
  });

  it("contains no standalone JSON Schema keys that OpenAPI would misread", () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain('"$id"');
    for (const match of text.matchAll(/"\$ref":"([^"]+)"/g)) {
      const [, kind, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(match[1]!) ?? [];
      expect((document.components as Record<string, Json>)[kind!]?.[name!], match[1]).toBeDefined();
    }
  });
});
