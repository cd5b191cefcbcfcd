import { z } from "zod";
import { linkPlacementIds, networkIds } from "@/db/schema";

/**
 * What a team report accepts and answers, as zod schemas: the page, the CSV route and
 * REST API v1 parse with them, and the OpenAPI document is generated from them. Imports
 * only schemas, so the document builds without a database.
 */

export const reportPeriods = ["day", "week", "month"] as const;
export type ReportPeriod = (typeof reportPeriods)[number];

/** A report spans at most two years (inclusive of both ends), so one query stays bounded. */
export const MAX_RANGE_DAYS = 731;

/** Any group smaller than this (a team, a sub-team, a join cohort) shows no figures, in every view and export: lib/reports/privacy.ts applies it. */
export const MIN_GROUP_SIZE = 5;

export const reportTables = ["series", "subTeams", "stories", "networks", "placements", "topAdvocates", "adoption"] as const;
export type ReportTable = (typeof reportTables)[number];

const DAY_MS = 86_400_000;

/** Days from `from` to `to`, both included ("2026-01-01".."2026-01-01" is 1). */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

const reportQueryFields = z.object({
  teamId: z.uuid().optional().describe("The team (its sub-teams included); absent: the caller's first managed team."),
  from: z.iso.date().describe("First day, YYYY-MM-DD (UTC calendar day)."),
  to: z.iso.date().describe("Last day, YYYY-MM-DD, included; at most 731 days after `from`."),
  period: z.enum(reportPeriods).default("week").describe("Series buckets: day, ISO week (from Monday) or calendar month."),
  network: z.enum(networkIds).optional().describe("Only this network's figures."),
});

/** from ≤ to and at most two years: checked on every variant of the query. */
function rangeChecked<S extends z.ZodType<{ from: string; to: string }>>(schema: S) {
  return schema.superRefine((query, ctx) => {
    if (query.from > query.to) ctx.addIssue({ code: "custom", path: ["to"], message: "rangeReversed" });
    else if (daysInRange(query.from, query.to) > MAX_RANGE_DAYS) ctx.addIssue({ code: "custom", path: ["to"], message: "rangeTooLong" });
  });
}

/** The report's question; lenient about other keys, for the page's search parameters. */
export const reportQuerySchema = rangeChecked(reportQueryFields);
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** GET /api/v1/reports: strict like every v1 query (an unknown parameter is a 400). */
export const reportApiQuerySchema = rangeChecked(reportQueryFields.strict());
/** The same fields, without the range check, for the OpenAPI parameters (the check is described in words). */
export const reportApiQueryDocSchema = reportQueryFields.strict();

/** GET /reports/export: the report's question and which of its tables. */
export const reportExportQuerySchema = rangeChecked(reportQueryFields.extend({ table: z.enum(reportTables) }).strict());

// ── The answer ─────────────────────────────────────────────────────────────────────────

const count = z.number().int().min(0);

export const figuresSchema = z.object({
  shares: count,
  clicks: count.describe("Human clicks through the tracked links (bots excluded)."),
  uniqueVisitors: count.describe("One per visitor, link and day."),
  botClicks: count.describe("Link previewers and crawlers, counted apart and never as reach."),
  impressions: count.describe("Measured by the networks."),
  engagements: count.describe("Likes, comments, reshares and quotes, measured by the networks."),
  estimatedReach: count.describe("Followers of the accounts shared from: potential reach, an estimate."),
  emv: z.number().min(0).describe("Earned media value in `emv.currency` under `emv.version` of the formula `emv.formula`."),
});
export type Figures = z.infer<typeof figuresSchema>;

const participation = z.number().min(0).max(1).describe("Active sharers ÷ active members.");

export const teamReportSchema = z.object({
  asOf: z.iso.datetime().nullable().describe("When the figures are not current: the moment they are current as of (a read replica behind the primary, or a large organisation's report kept made, remade every minute). Null: current."),
  team: z.object({ id: z.uuid(), name: z.string(), memberCount: count.nullable().describe("Active members, sub-teams included; null when fewer than 5 (suppressed).") }),
  range: z.object({ from: z.iso.date(), to: z.iso.date(), period: z.enum(reportPeriods) }),
  emv: z.object({ version: z.number().int().min(0), formula: z.string(), currency: z.string() }).describe("Which rate table and formula every EMV figure comes from (version 0: the defaults)."),
  suppressed: z.boolean().describe("The team (with its sub-teams) has fewer than 5 active members: no figures at all."),
  totals: figuresSchema.extend({ activeSharers: count, members: count, participation }).nullable(),
  series: z.array(figuresSchema.extend({ start: z.iso.date().describe("The bucket's first day (a Monday for weeks, the 1st for months)."), activeSharers: count, participation })),
  subTeams: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      memberCount: count.nullable().describe("Null when suppressed: a group of fewer than 5 shows neither figures nor its exact size."),
      suppressed: z.boolean(),
      figures: figuresSchema.extend({ activeSharers: count, participation }).nullable(),
    }),
  ),
  stories: z.array(z.object({ storyId: z.uuid(), title: z.string(), figures: figuresSchema })),
  networks: z.array(z.object({ network: z.enum(networkIds), figures: figuresSchema })),
  placements: z
    .array(
      z.object({
        placement: z.enum(linkPlacementIds).describe("Where the shares' link went: a link card, the URL in the text, or a first comment."),
        people: count.nullable().describe("Members who shared with this placement in the range (each is behind its figures); null when suppressed (fewer than 5 people, or the next smallest where the rest would give one away)."),
        suppressed: z.boolean(),
        shares: count.nullable().describe("The shares every ratio in the row rests on; null when suppressed."),
        clicksPerShare: z.number().min(0).nullable(),
        engagementsPerShare: z.number().min(0).nullable(),
        impressionsPerShare: z.number().min(0).nullable().describe("Over the shares to networks that report impressions (LinkedIn, X) only; null when none."),
        sharesReportingImpressions: count.nullable().describe("The shares impressionsPerShare rests on."),
      }),
    )
    .describe("The members' shares with figures in the range, by where the link went (lib/orgs/link-placement.ts); only placements used."),
  topAdvocates: z.array(z.object({ userId: z.string(), name: z.string(), figures: figuresSchema })),
  adoption: z.array(
    z.object({
      cohort: z.string().regex(/^\d{4}-\d{2}$/).describe("The month the members joined, YYYY-MM."),
      members: count.nullable().describe("Null when suppressed: a cohort of fewer than 5 shows neither figures nor its exact size."),
      suppressed: z.boolean(),
      activeShare: z.array(z.number().min(0).max(1)).describe("Per month since joining (up to 12): the fraction of the cohort that had shared at least once by then."),
    }),
  ),
});
export type TeamReport = z.infer<typeof teamReportSchema>;

export const reportTeamListSchema = z.object({
  data: z.array(z.object({ id: z.uuid(), name: z.string(), depth: z.number().int().min(0).describe("0 for a team managed directly (admins: a top-level team).") })),
});
