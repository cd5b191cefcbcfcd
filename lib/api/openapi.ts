import { z } from "zod";
import {
  archiveResultSchema,
  archiveStoryBodySchema,
  memberListQuerySchema,
  memberListSchema,
  meResourceSchema,
  problemSchema,
  storyCreateBodySchema,
  storyIdParamsSchema,
  storyListQuerySchema,
  storyListSchema,
  storyPatchBodySchema,
  storyResourceSchema,
  teamListSchema,
  teamResourceSchema,
  topicListSchema,
  topicResourceSchema,
} from "./resources";
import { composeCheckBodySchema, feedListSchema, feedQueryDocSchema, shareCreateBodySchema, shareIdParamsSchema, shareResourceSchema } from "./shares";
import { textCheckResultSchema } from "@/lib/shares/check-text";
import { draftTextSchema, inMyWordsBodySchema, suggestedTextsBodySchema, suggestedTextsResultSchema, translateBodySchema, writingErrorCodes } from "./writing";
import { reportApiQueryDocSchema, reportTeamListSchema, teamReportSchema } from "@/lib/reports/schemas";

/**
 * The OpenAPI 3.1 document of REST API v1 (/api/v1/openapi.json). Every schema is generated
 * from the zod schemas the route handlers validate with, so only paths, operations and
 * wording are written here.
 */

type JsonObject = { [key: string]: unknown };

/** zod's Date (z.coerce.date in story input) has no JSON form; on the wire it is an ISO 8601 string. */
const dateAsString: NonNullable<z.core.ToJSONSchemaParams["override"]> = (ctx) => {
  if (ctx.zodSchema._zod.def.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
};

const jsonSchemaOptions = { target: "draft-2020-12", unrepresentable: "any", override: dateAsString } as const;

/** Drops the keys that make a standalone JSON Schema document (a fragment $id is not allowed inside OpenAPI). */
function embedded(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Named components from one registry, $ref-ing each other by #/components/schemas/<name>. */
function componentSchemas(io: "input" | "output", schemas: Record<string, z.ZodType>): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { ...jsonSchemaOptions, io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, embedded(schema as JsonObject)]));
}

/** One parameter per property of an object schema, as the route's zod schema accepts it. */
function parameters(location: "query" | "path", schema: z.ZodType): JsonObject[] {
  const json = embedded(z.toJSONSchema(schema, { ...jsonSchemaOptions, io: "input" }) as JsonObject);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonObject>).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });
const jsonBody = (name: string, description: string) => ({ description, content: { "application/json": { schema: ref(name) } } });
const problemResponse = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
/** A 201 with the new resource and its URL in Location. */
const created = (name: string, description: string, location: string) => ({
  ...jsonBody(name, description),
  headers: { Location: { description: location, schema: { type: "string" } } },
});
const requestBody = (name: string, description: string) => ({ required: true, description, content: { "application/json": { schema: ref(name) } } });

/** Writing help answers JSON, or server-sent events with `Accept: text/event-stream`. */
const writingAnswer = (name: string, description: string, example: unknown) => ({
  description,
  content: {
    "application/json": { schema: ref(name), example },
    "text/event-stream": {
      schema: {
        type: "string",
        description:
          "Server-sent events: `text` ({\"text\": piece}) for each piece the model writes, then one `result` with the JSON body above, or one `error` ({\"status\", \"code\", \"detail\"}) with a code from WritingProblem.",
      },
      example: `event: text\ndata: {"text":"Stolt "}\n\nevent: text\ndata: {"text":"af holdet"}\n\nevent: result\ndata: ${JSON.stringify(example)}\n\n`,
    },
  },
});
const writingRequest = (name: string, description: string, example: unknown) => ({ required: true, description, content: { "application/json": { schema: ref(name), example } } });
/**
 * Besides the common problems (404 also when the server has no model, `writingHelpNotConfigured`;
 * 422 also when the model's answer cannot be used: `writingRefused`, `writingEmpty`,
 * `writingTooLong`, `writingBlockedPhrase`), the model's own failures.
 */
const writingProblems = {
  "502": problemResponse("The model's answer could not be read (`writingInvalid`)."),
  "503": problemResponse("The model could not be reached (`writingUnavailable`)."),
  "504": problemResponse("The model did not answer in time (`writingTimeout`)."),
};

type Operation = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  responses: Record<string, JsonObject>;
  /** Problems besides 401 (every operation) and 403 (when a role is required). */
  problems?: Array<"BadRequest" | "NotFound" | "UnprocessableContent" | "Conflict">;
  roleRequired?: boolean;
};

function operation({ problems = [], roleRequired = true, responses, ...rest }: Operation): JsonObject {
  const refused: Record<string, JsonObject> = { "401": responseRef("Unauthorized"), "429": responseRef("TooManyRequests") };
  if (roleRequired) refused["403"] = responseRef("Forbidden");
  const codes = { BadRequest: "400", NotFound: "404", UnprocessableContent: "422", Conflict: "409" } as const;
  for (const problem of problems) refused[codes[problem]] = responseRef(problem);
  return { ...rest, security: [{ bearerAuth: [] }], responses: { ...responses, ...refused } };
}

export function buildOpenApiDocument(baseUrl: string): JsonObject {
  const storyId = parameters("path", storyIdParamsSchema);
  const editors = "Needs the editor role.";

  return {
    openapi: "3.1.0",
    info: {
      title: "Ripple API",
      version: "1.0.0",
      summary: "Employee advocacy: the story library, its topics and teams.",
      description:
        "REST API v1. Every request acts as one member of one organisation: send `Authorization: Bearer <token>` with an API token " +
        "(Settings → API tokens, or `npm run ripple -- token:create`; tokens expire after 90 days by default, at most a year); the signed-in web app's session is accepted too. Everything is scoped to the token's " +
        "organisation: another organisation's ids are answered as unknown (404 or a field error), never as forbidden. Failures are " +
        "RFC 9457 problem details (`application/problem+json`); invalid fields are listed in `errors`. Unknown query parameters " +
        "and unknown body fields are refused rather than ignored. Each token may make 600 calls a minute: every answer carries " +
        "`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and `RateLimit-Policy` " +
        "(draft-ietf-httpapi-ratelimit-headers-07); past the budget the answer is 429 with `Retry-After`.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: baseUrl }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Stories", description: "The story library: draft → in_review → approved → published → archived." },
      { name: "Topics" },
      { name: "Teams" },
      { name: "Members" },
      { name: "Me" },
      { name: "Sharing", description: "An employee's feed and shares, and the text check the compose page uses." },
      { name: "Writing help", description: "Drafts from the organisation's language model (when the server has one): never posted without a person. JSON by default; server-sent events with `Accept: text/event-stream`. Problems carry a `code`: 404 `writingHelpNotConfigured` when the server has no model; 403 `writingHelpOff`; 429 `writingHelpBudgetSpent` or `writingRateLimited` (with Retry-After); 422 `writingRefused`, `writingEmpty`, `writingTooLong` (over the network's limit after two tries) or `writingBlockedPhrase`; 502, 503 and 504 when the model fails. The person's own text is never changed by a failure." },
      { name: "Reports", description: "Managers' team reports from the daily rollups; any group under 5 people is suppressed." },
    ],
    paths: {
      "/api/v1/me": {
        get: operation({
          operationId: "getMe",
          summary: "Who the token acts as",
          description: "The member, their organisation and roles. Any member.",
          tags: ["Me"],
          roleRequired: false,
          responses: { "200": jsonBody("Me", "The member the token acts as.") },
        }),
      },
      "/api/v1/members": {
        get: operation({
          operationId: "listMembers",
          summary: "List the organisation's members",
          description: "Needs the admin role.",
          tags: ["Members"],
          parameters: parameters("query", memberListQuerySchema),
          problems: ["BadRequest"],
          responses: { "200": jsonBody("MemberList", "The members, by name.") },
        }),
      },
      "/api/v1/stories": {
        get: operation({
          operationId: "listStories",
          summary: "List stories",
          description: `Newest change first, a page at a time: pass \`nextCursor\` as \`cursor\` until it is null. ${editors}`,
          tags: ["Stories"],
          parameters: parameters("query", storyListQuerySchema),
          problems: ["BadRequest"],
          responses: { "200": jsonBody("StoryList", "A page of stories.") },
        }),
        post: operation({
          operationId: "createStory",
          summary: "Create a story",
          description: `A draft with source "api". Topics and audience teams must be the organisation's; nothing is written when any field is refused. ${editors}`,
          tags: ["Stories"],
          requestBody: requestBody("StoryInput", "The new story."),
          problems: ["BadRequest", "UnprocessableContent"],
          responses: {
            "201": created("Story", "Created.", "The story's URL."),
          },
        }),
      },
      "/api/v1/stories/{id}": {
        parameters: storyId,
        get: operation({
          operationId: "getStory",
          summary: "Get a story",
          description: editors,
          tags: ["Stories"],
          problems: ["BadRequest", "NotFound"],
          responses: { "200": jsonBody("Story", "The story.") },
        }),
        patch: operation({
          operationId: "updateStory",
          summary: "Change a story",
          description: `Only the fields sent change; lists (topicIds, audienceTeamIds, variants) are replaced whole. An archived story cannot be changed. ${editors}`,
          tags: ["Stories"],
          requestBody: requestBody("StoryPatch", "The fields to change."),
          problems: ["BadRequest", "NotFound", "UnprocessableContent"],
          responses: { "200": jsonBody("Story", "The changed story.") },
        }),
      },
      "/api/v1/stories/{id}/archive": {
        parameters: storyId,
        post: operation({
          operationId: "archiveStory",
          summary: "Archive (withdraw) a story",
          description: `The story leaves the feed and every scheduled share of it is cancelled; the employees affected are told. Send \`{}\` when there is no reason to give. ${editors}`,
          tags: ["Stories"],
          requestBody: requestBody("ArchiveRequest", "Why, optionally."),
          problems: ["BadRequest", "NotFound", "Conflict", "UnprocessableContent"],
          responses: { "200": jsonBody("ArchiveResult", "The archived story and how many shares were cancelled.") },
        }),
      },
      "/api/v1/feed": {
        get: operation({
          operationId: "getFeed",
          summary: "The caller's feed",
          description: "Published stories for the caller's teams and the whole organisation: pinned first, then newest, a page at a time. Needs the employee role.",
          tags: ["Sharing"],
          parameters: parameters("query", feedQueryDocSchema),
          problems: ["BadRequest"],
          responses: { "200": jsonBody("FeedPage", "A page of the feed.") },
        }),
      },
      "/api/v1/compose/check": {
        post: operation({
          operationId: "checkText",
          summary: "Check a share text",
          description:
            "Counts the text the way the network does (X weighted with links as 23, Bluesky graphemes and 3,000 bytes, Mastodon the instance's limit, LinkedIn 3,000), with the organisation's disclosure tag and blocked phrases, the same check as the compose page and the publisher. Needs the employee or editor role.",
          tags: ["Sharing"],
          requestBody: requestBody("TextCheckRequest", "The network and the text."),
          problems: ["BadRequest", "UnprocessableContent"],
          responses: { "200": jsonBody("TextCheck", "The measure and any problems.") },
        }),
      },
      "/api/v1/shares": {
        post: operation({
          operationId: "createShare",
          summary: "Share or schedule a story",
          description:
            "From one of the caller's connected accounts, now or at `scheduledAt`. The story's link becomes the share's tracked link; colleagues' shares of the story on the network are spread apart. Refused with the reason when the text breaks a rule or the time is past. Needs the employee role.",
          tags: ["Sharing"],
          requestBody: requestBody("ShareInput", "The share."),
          problems: ["BadRequest", "NotFound", "Conflict", "UnprocessableContent"],
          responses: {
            "201": created("Share", "Scheduled, its publish job queued (`queued: true`).", "The share's URL."),
            "202": created("Share", "Saved, but its publish job could not be queued just now (`queued: false`: Redis away or failing over); the reconciler queues it within a minute, and it goes out as planned.", "The share's URL."),
          },
        }),
      },
      "/api/v1/shares/{id}": {
        parameters: parameters("path", shareIdParamsSchema),
        get: operation({
          operationId: "getShare",
          summary: "Get one of the caller's shares",
          description: "Another person's share is 404. Needs the employee role.",
          tags: ["Sharing"],
          problems: ["BadRequest", "NotFound"],
          responses: { "200": jsonBody("Share", "The share.") },
        }),
      },
      "/api/v1/topics": {
        get: operation({
          operationId: "listTopics",
          summary: "List topics",
          description: `By name, each with its number of stories. ${editors}`,
          tags: ["Topics"],
          problems: ["BadRequest"],
          responses: { "200": jsonBody("TopicList", "The organisation's topics.") },
        }),
      },
      "/api/v1/reports": {
        get: operation({
          operationId: "getTeamReport",
          summary: "A team's report",
          description:
            "Shares, clicks, unique visitors, impressions, engagements, potential reach, EMV and participation (active sharers ÷ active members) " +
            "for a team with its sub-teams over a range of UTC days (at most 731, `from` ≤ `to`, else 400): totals, a series by day, ISO week or month " +
            "(zero-filled), sub-teams, top stories, networks, top advocates and adoption by join cohort. A team, sub-team or cohort of fewer than 5 " +
            "active members is `suppressed` and carries no figures and no exact size (its `memberCount` or `members` is null). Every EMV figure is under the rate version and formula in `emv`. Managers may ask " +
            "for the teams they manage and their sub-teams (another team is 403), admins for any team. Needs the manager or admin role.",
          tags: ["Reports"],
          parameters: parameters("query", reportApiQueryDocSchema),
          problems: ["BadRequest", "NotFound"],
          responses: { "200": jsonBody("TeamReport", "The report.") },
        }),
      },
      "/api/v1/writing/suggested-texts": {
        post: operation({
          operationId: "writeSuggestedTexts",
          summary: "Write suggested texts for a story",
          description:
            "The organisation's language model writes `count` different texts for one network and language from the story (title, summary, body and link, passed as quoted data). Each is checked as a share is (the network's limit with the tracked link and disclosure tag, blocked phrases); one over the limit is sent back once to be shortened, and what still fails is listed in `dropped`. Nothing is saved: keep a text by adding it to the story's `variants` with `assisted: true`. Each request to the model counts against the organisation's monthly budget (429 `writingHelpBudgetSpent` when used; 403 `writingHelpOff` when turned off). Needs the editor role.",
          tags: ["Writing help"],
          problems: ["NotFound", "UnprocessableContent"],
          requestBody: writingRequest("SuggestedTextsRequest", "The story, network, language and how many texts.", { storyId: "7d0c1f8e-2f4b-4c1e-9d7a-1b2c3d4e5f60", network: "linkedin", language: "da", count: 3 }),
          responses: {
            "200": writingAnswer("SuggestedTexts", "The texts that passed the check, and why any others were not offered.", {
              texts: [{ text: "Stolt af holdet bag Skagerrak Syd.", length: 62, limit: 3000, shortened: false }],
              dropped: [{ reason: "blockedPhrase", detail: "garanteret" }],
            }),
            ...writingProblems,
          },
        }),
      },
      "/api/v1/writing/in-my-words": {
        post: operation({
          operationId: "writeInMyWords",
          summary: "Rewrite a text in the caller's own words",
          description:
            "The text rewritten in one of four tones (personal, professional, enthusiastic, brief), in its own language; the caller's three latest posts through Ripple go along as style examples only if they opted in (in the composer). Checked as a share is; over the limit it is asked once more, briefly, else refused with `writingTooLong`. Nothing is posted: send the text with POST /api/v1/shares and `assisted: true`. Counts against the monthly budget. Needs the employee role.",
          tags: ["Writing help"],
          problems: ["NotFound", "UnprocessableContent"],
          requestBody: writingRequest("InMyWordsRequest", "The text, its network, story, language and tone.", {
            storyId: "7d0c1f8e-2f4b-4c1e-9d7a-1b2c3d4e5f60",
            network: "linkedin",
            text: "Havvindmølleparken forsyner 400.000 hjem. Det er værd at læse.",
            language: "da",
            tone: "brief",
          }),
          responses: { "200": writingAnswer("DraftText", "The rewritten text, as the network counts it.", { text: "Havvindmølleparken forsyner 400.000 hjem.", length: 70, limit: 3000, shortened: false }), ...writingProblems },
        }),
      },
      "/api/v1/writing/translate": {
        post: operation({
          operationId: "translateText",
          summary: "Translate a text between Danish and English",
          description:
            "Into `to` from the other language, natural rather than word for word, keeping links and hashtags. Checked as a share is, like in-my-words. Counts against the monthly budget. Needs the employee or editor role.",
          tags: ["Writing help"],
          problems: ["NotFound", "UnprocessableContent"],
          requestBody: writingRequest("TranslateRequest", "The text, its network and story, and the language to translate into.", {
            storyId: "7d0c1f8e-2f4b-4c1e-9d7a-1b2c3d4e5f60",
            network: "x",
            text: "Havvindmølleparken forsyner 400.000 hjem.",
            to: "en",
          }),
          responses: { "200": writingAnswer("DraftText", "The translated text, as the network counts it.", { text: "The offshore wind farm powers 400,000 homes.", length: 68, limit: 280, shortened: false }), ...writingProblems },
        }),
      },
      "/api/v1/reports/teams": {
        get: operation({
          operationId: "listReportTeams",
          summary: "The teams the caller may report on",
          description: "The teams the caller manages with all their sub-teams (admins: every team), depth-first. Needs the manager or admin role.",
          tags: ["Reports"],
          problems: ["BadRequest"],
          responses: { "200": jsonBody("ReportTeamList", "The teams, as an indented tree.") },
        }),
      },
      "/api/v1/teams": {
        get: operation({
          operationId: "listTeams",
          summary: "List teams",
          description: `By name; parentId makes the tree. ${editors}`,
          tags: ["Teams"],
          problems: ["BadRequest"],
          responses: { "200": jsonBody("TeamList", "The organisation's teams.") },
        }),
      },
    },
    components: {
      schemas: {
        ...componentSchemas("output", {
          Story: storyResourceSchema,
          StoryList: storyListSchema,
          ArchiveResult: archiveResultSchema,
          Topic: topicResourceSchema,
          TopicList: topicListSchema,
          Team: teamResourceSchema,
          TeamList: teamListSchema,
          TeamReport: teamReportSchema,
          ReportTeamList: reportTeamListSchema,
          Me: meResourceSchema,
          MemberList: memberListSchema,
          Problem: problemSchema,
          Share: shareResourceSchema,
          TextCheck: textCheckResultSchema,
          FeedPage: feedListSchema,
          SuggestedTexts: suggestedTextsResultSchema,
          DraftText: draftTextSchema,
          WritingProblem: problemSchema.extend({ code: z.enum([...writingErrorCodes]).optional() }),
        }),
        ...componentSchemas("input", {
          StoryInput: storyCreateBodySchema,
          StoryPatch: storyPatchBodySchema,
          ArchiveRequest: archiveStoryBodySchema,
          ShareInput: shareCreateBodySchema,
          TextCheckRequest: composeCheckBodySchema,
          SuggestedTextsRequest: suggestedTextsBodySchema,
          InMyWordsRequest: inMyWordsBodySchema,
          TranslateRequest: translateBodySchema,
        }),
      },
      responses: {
        BadRequest: problemResponse("The query has an unknown or invalid parameter (see `errors`), or the body is not JSON."),
        Unauthorized: {
          ...problemResponse(
            "No credentials, or the bearer token is not valid. A token that was revoked or has expired says which: `type` " +
              "`urn:ripple:problem:token-revoked` or `urn:ripple:problem:token-expired` (detail \"Token revoked: …\" / \"Token expired: …\"); " +
              "an unknown token has `type` `about:blank`.",
          ),
          headers: { "WWW-Authenticate": { description: "The Bearer challenge.", schema: { type: "string" } } },
        },
        TooManyRequests: {
          ...problemResponse(
            "The token has used its budget of calls (600 a minute), or this client address sent too many refused tokens (30 in 15 minutes). " +
              "Wait `Retry-After` seconds.",
          ),
          headers: {
            "Retry-After": { description: "Seconds until the budget starts again.", schema: { type: "integer" } },
            "RateLimit-Remaining": { description: "Calls left in the window (0 here).", schema: { type: "integer" } },
          },
        },
        Forbidden: problemResponse("The member's roles do not allow this."),
        NotFound: problemResponse("No such resource in the organisation."),
        Conflict: problemResponse("The resource is not in a state that allows this (for example already archived)."),
        UnprocessableContent: problemResponse("The body is invalid; `errors` names each field (unknown topics and teams included)."),
      },
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "API token from Settings → API tokens or `npm run ripple -- token:create`" },
      },
    },
  };
}
