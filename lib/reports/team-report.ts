import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { linkPlacementIds, memberships, networkIds, stories, teams, users, type LinkPlacement, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { DomainError, notFound } from "@/lib/errors";
import { currentEmvTable, emvFiguresOf, emvOf, type EmvTable } from "@/lib/reach/emv";
import { keyMonth, monthKey } from "@/lib/reach/activity";
import { dailyHorizonOf } from "@/lib/reach/retention";
import type { Scope } from "@/lib/tenant";
import { bucketStarts, monthIndex, rangeParts, type RangeParts } from "./periods";
import { byName, managedTeamIds, subtreeOf, treeOrder, type Viewer } from "./team-access";
import { groupedPlacementRow, placementRows, type PlacementRow } from "./placements";
import { discloseRows, mayShow, sizeShown } from "./privacy";
import { reportPeriods, reportQuerySchema, type Figures, type ReportQuery, type TeamReport } from "./schemas";

/**
 * A team's report (sub-teams included), read from the rollups only, every read an
 * index-only scan. Every group (the team, a sub-team, a join cohort) goes through ./privacy.ts:
 * under five people it carries neither figures nor its size, and neither does the next smallest
 * row where the team's total minus the shown rows would give a small group away (the team's own
 * direct members, or one hidden row) (docs/design-notes.md, "Manager reports").
 */

const TOP_STORIES = 20;
const TOP_ADVOCATES = 10;
const ADOPTION_MONTHS = 12;

// ── Small pure helpers ─────────────────────────────────────────────────────────────────

function emptyFigures(): Figures {
  return { shares: 0, clicks: 0, uniqueVisitors: 0, botClicks: 0, impressions: 0, engagements: 0, estimatedReach: 0, emv: 0 };
}

const figureKeys = ["shares", "clicks", "uniqueVisitors", "botClicks", "impressions", "engagements", "estimatedReach", "emv"] as const;

function addInto(target: Figures, source: Figures): Figures {
  for (const key of figureKeys) target[key] += source[key];
  return target;
}

/** Money to cents, once, at the end (sums of unrounded values stay exact enough). */
function rounded(figures: Figures): Figures {
  return { ...figures, emv: Math.round(figures.emv * 100) / 100 };
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** A Postgres text[] literal, one bound parameter however many ids (quoted, so any text is safe). */
function textArray(values: readonly string[]): SQL {
  const literal = `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
  return sql`${literal}::text[]`;
}

type Dimension = "user" | "team" | "team_story" | "user_placement";

const figureColumns = ["shares", "clicks", "unique_visitors", "bot_clicks", "impressions", "engagements", "estimated_reach"] as const;
type FigureColumn = (typeof figureColumns)[number];

/**
 * `ids` and `network` are conditions on the bare columns. Each branch is one index-only scan; the
 * dimension is inlined so a generic plan still knows it (docs/design-notes.md, "Manager reports").
 */
function rollupRows(
  orgId: string,
  dimension: Dimension,
  ids: SQL,
  network: SQL,
  parts: RangeParts,
  options: { columns?: readonly FigureColumn[] } = {},
): SQL {
  const dim = sql.raw(`'${dimension}'`);
  const columns = options.columns ?? figureColumns;
  const branches: SQL[] = [];
  if (parts.months) {
    branches.push(sql`select dimension_id, network, ${sql.raw(columns.join(", "))}, month as day from monthly_rollups
      where org_id = ${orgId} and dimension = ${dim} and ${ids} and ${network} and month between ${parts.months[0]}::date and ${parts.months[1]}::date`);
  }
  for (const [first, last] of parts.days) {
    const where = sql`where org_id = ${orgId} and dimension = ${dim} and ${ids} and ${network} and day between ${first}::date and ${last}::date`;
    branches.push(sql`select dimension_id, network, ${sql.raw(columns.join(", "))}, day from daily_rollups ${where}`);
  }
  return sql.join(branches, sql` union all `);
}

const isNetwork = (value: string): value is NetworkId => (networkIds as readonly string[]).includes(value);

type NetworkRow = { network: string; shares: number; clicks: number; unique_visitors: number; bot_clicks: number; impressions: number; engagements: number; estimated_reach: number };

/** One network's summed rollup columns as Figures, with that network's EMV (emv-1 prices unique visitors as clicks). */
function figuresOf(row: NetworkRow, emvTable: EmvTable): Figures {
  const figures: Figures = {
    shares: Number(row.shares),
    clicks: Number(row.clicks),
    uniqueVisitors: Number(row.unique_visitors),
    botClicks: Number(row.bot_clicks),
    impressions: Number(row.impressions),
    engagements: Number(row.engagements),
    estimatedReach: Number(row.estimated_reach),
    emv: 0,
  };
  figures.emv = isNetwork(row.network) ? emvOf(emvTable, row.network, emvFiguresOf(figures)) : 0;
  return figures;
}

/** The summed figure columns of `r` as float8 (numbers, not strings, to the driver); columns not read are 0. */
function sumsOf(columns: readonly FigureColumn[] = figureColumns): SQL {
  return sql.raw(figureColumns.map((c) => (columns.includes(c) ? `sum(r.${c})::float8 as ${c}` : `0::float8 as ${c}`)).join(", "));
}
const sums = sumsOf();

// ── The report ─────────────────────────────────────────────────────────────────────────

function badQuery(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): DomainError {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) (fieldErrors[issue.path.map(String).join(".") || "_"] ??= []).push(issue.message);
  return new DomainError(400, "invalidInput", "The report query is invalid", fieldErrors);
}

/**
 * The range reaches days that are kept by month only (lib/reach/retention.ts): a team's days,
 * its stories' and its placements' fold into their months once the clicks are past retention.
 * Whole months from the first of a month, shown by month, can still be read.
 */
export class FoldedDaysError extends DomainError {
  constructor(readonly horizon: string) {
    super(400, "foldedDays", `Figures before ${horizon} are kept by month only: start on the first of a month and show months`, {
      from: [`Before ${horizon}, start on the first of a month and choose period=month`],
    });
  }
}

/**
 * No teamId: the viewer's first managed team. An unknown or another organisation's team is not
 * found; one outside the viewer's managed teams and their sub-teams is forbidden (admins see
 * all). A reversed or over-two-year range of UTC days is a 400.
 */
export async function teamReport(db: DbOrTx, scope: Scope, viewer: Viewer, rawQuery: unknown, figures: DbOrTx = db): Promise<TeamReport> {
  const parsed = reportQuerySchema.safeParse(rawQuery);
  if (!parsed.success) throw badQuery(parsed.error);
  const query: ReportQuery = parsed.data;

  // Round trip 1: who may see what, the organisation's (small) team tree, the EMV table.
  const [managed, allTeams, emvTable, horizon] = await Promise.all([
    managedTeamIds(db, scope, viewer),
    db.select({ id: teams.id, parentId: teams.parentId, name: teams.name }).from(teams).where(eq(teams.orgId, scope.orgId)),
    currentEmvTable(db, scope.orgId),
    dailyHorizonOf(db, scope.orgId),
  ]);
  const visible = managed && new Set(managed.flatMap((id) => subtreeOf(id, allTeams)));
  let teamId = query.teamId;
  if (!teamId) {
    const first = treeOrder(visible ? allTeams.filter((t) => visible.has(t.id)) : allTeams)[0];
    if (!first) throw new DomainError(404, "noManagedTeam", "You manage no team to report on");
    teamId = first.id;
  }
  const team = allTeams.find((t) => t.id === teamId);
  if (!team) throw notFound("Team");
  if (visible && !visible.has(team.id)) throw new DomainError(403, "forbidden", "You do not manage this team");
  // Days and weeks, and the partial months at the range's ends, are read from daily rows.
  const dayPieces = query.period === "month" ? rangeParts(query.from, query.to).days : [[query.from, query.to]];
  if (dayPieces.some(([first]) => first! < horizon)) throw new FoldedDaysError(horizon);

  const subtree = subtreeOf(team.id, allTeams);
  const children = allTeams.filter((t) => t.parentId === team.id).sort((a, b) => byName.compare(a.name, b.name));

  // Round trip 2 and on: the members (counted in SQL, never listed) and every rollup read at
  // once (the reads take the member ids from the same condition in SQL rather than wait for a
  // list); the top stories' and advocates' full figures follow each ranking as soon as it is in.
  const ofMembers = and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active"), inArray(memberships.teamId, subtree));
  const memberSet = sql`select ${memberships.userId} from ${memberships} where ${ofMembers}`;
  // Who may see what and who is in the team come from `db` (the primary: a manager removed
  // from a team is refused at once), with each member's activity (lib/reach/activity.ts); the
  // figures from `figures` (a read replica, when fresh).
  const people = readMembers(db, scope.orgId, query, ofMembers);
  const reads = readRollups(figures, scope.orgId, query, subtree, memberSet);
  const [byTeam, cohortRows, monthSharers, teamRows, sharerRows, placements, topStories, topAdvocates] = await Promise.all([
    people.byTeam,
    people.cohorts,
    people.monthSharers,
    reads.teams,
    reads.sharers,
    Promise.all([reads.placementSums, reads.placementPeople]).then(([sums, people]) => placementsShown(figures, scope.orgId, query, sql`array(${memberSet})`, sums, people[0]!, emvTable)),
    reads.storyRanks.then((rows) => storiesShown(figures, scope.orgId, query, subtree, rows, emvTable)),
    people.byTeam.then((rows) => advocatesShown(figures, scope.orgId, query, sql`select ${memberships.userId} from ${memberships} where ${ofMembers} and not ${memberships.leaderboardOptOut}`, sum(rows, "members"), emvTable)),
  ]);
  const inTeams = (teamIds: ReadonlySet<string>, key: "members" | "sharers") => sum(byTeam.filter((r) => teamIds.has(r.team_id)), key);
  const memberCount = sum(byTeam, "members");

  const { from, to, period } = query;
  const base = {
    // Set by the caller that chose the database (lib/db.ts withReportsRead); null: the primary's figures.
    asOf: null as string | null,
    team: { id: team.id, name: team.name, memberCount: sizeShown(memberCount) },
    range: { from, to, period },
    emv: { version: emvTable.version, formula: emvTable.formula, currency: emvTable.currency },
  };
  const cohorts = cohortsOf(cohortRows, to);

  // Too small a team: what was read (little, for so few people) is dropped unseen.
  if (!mayShow(memberCount)) {
    return {
      ...base,
      suppressed: true,
      totals: null,
      series: [],
      subTeams: children.map((c) => ({ id: c.id, name: c.name, memberCount: null, suppressed: true, figures: null })),
      stories: [],
      networks: [],
      placements: [],
      topAdvocates: [],
      adoption: cohorts.map((c) => ({ cohort: c.cohort, members: null, suppressed: true, activeShare: [] })),
    };
  }

  // Series, networks and the team's totals.
  const starts = bucketStarts(from, to, period);
  const seriesFigures = new Map(starts.map((s) => [s, emptyFigures()]));
  const networkFigures = new Map<NetworkId, Figures>();
  const teamFigures = new Map<string, Figures>();
  for (const row of teamRows) {
    const figures = figuresOf(row, emvTable);
    if (row.bucket !== null) {
      addInto(seriesFigures.get(row.bucket) ?? emptyFigures(), figures);
      if (isNetwork(row.network)) networkFigures.set(row.network, addInto(networkFigures.get(row.network) ?? emptyFigures(), figures));
    } else if (row.team_id !== null) {
      teamFigures.set(row.team_id, addInto(teamFigures.get(row.team_id) ?? emptyFigures(), figures));
    }
  }
  const totals = [...seriesFigures.values()].reduce((sum, f) => addInto(sum, f), emptyFigures());

  // Sharers: those with a share in the range, and per day, week or month.
  const sharersByBucket = new Map<string, number>([...sharerRows, ...monthSharers].map((r): [string, number] => [r.bucket, r.sharers]));
  const activeSharers = sum(byTeam, "sharers");

  // The team's direct members are in its total but in no sub-team's row.
  const childGroups = children.map((child) => {
    const teamIds = new Set(subtreeOf(child.id, allTeams));
    return { key: child.id, child, teamIds, people: inTeams(teamIds, "members") };
  });
  const subTeamRows = discloseRows(childGroups, inTeams(new Set([team.id]), "members"), (g) => {
    const figures = [...g.teamIds].reduce((sum, id) => addInto(sum, teamFigures.get(id) ?? emptyFigures()), emptyFigures());
    const sharers = inTeams(g.teamIds, "sharers");
    return { ...rounded(figures), activeSharers: sharers, participation: ratio(sharers, g.people) };
  });
  const subTeams = childGroups.map(({ child }) => {
    const group = subTeamRows.get(child.id)!;
    return { id: child.id, name: child.name, memberCount: group.size, suppressed: group.suppressed, figures: group.figures };
  });

  return {
    ...base,
    suppressed: false,
    totals: { ...rounded(totals), activeSharers, members: memberCount, participation: ratio(activeSharers, memberCount) },
    series: starts.map((start) => {
      const sharers = sharersByBucket.get(start) ?? 0;
      return { start, ...rounded(seriesFigures.get(start)!), activeSharers: sharers, participation: ratio(sharers, memberCount) };
    }),
    subTeams,
    stories: topStories,
    networks: [...networkFigures.entries()]
      .sort(([a, fa], [b, fb]) => fb.clicks - fa.clicks || fb.shares - fa.shares || networkIds.indexOf(a) - networkIds.indexOf(b))
      .map(([network, figures]) => ({ network, figures: rounded(figures) })),
    placements,
    topAdvocates,
    adoption: adoptionRows(cohorts, memberCount, to),
  };
}

// EMV needs per-network rows (each has its own rates); counts come from the 'all' rows. Collation
// "C" keeps the network out of the primary key's index conditions, so the covering index alone
// is read (docs/design-notes.md, "Manager reports"; measured in "Performance history").
const network = sql.raw(`(network collate "C")`);
const figureNetworkOf = (query: ReportQuery) => (query.network ? sql`${network} = ${query.network}` : sql`${network} <> 'all'`);
const countNetworkOf = (query: ReportQuery) => (query.network ? sql`${network} = ${query.network}` : sql`${network} = 'all'`);

/**
 * Sent at once and not awaited, so what follows each ranking starts as soon as it is in.
 * `memberSet` is a subquery of the members' user ids.
 */
function readRollups(db: DbOrTx, orgId: string, query: ReportQuery, subtree: string[], memberSet: SQL) {
  const memberIds = sql`array(${memberSet})`;
  const { from, to, period } = query;
  const figureNetwork = figureNetworkOf(query);
  const countNetwork = countNetworkOf(query);
  // Inlined, not bound: Postgres matches a grouped expression with its select-list twin only
  // when they are the same text, and two bound parameters are not. period is one of three words.
  if (!reportPeriods.includes(period)) throw new Error(`unknown period ${period}`);
  const bucket = sql.raw(`date_trunc('${period}', r.day::timestamp)::date::text`);
  const parts = rangeParts(from, to);
  // Days and weeks cut across months: their series come from daily rows.
  const seriesParts: RangeParts = period === "month" ? parts : { months: null, days: [[from, to]] };
  const subtreeIds = textArray(subtree);
  // What ranks and filters the stories (their full figures follow for the twenty shown).
  const rankColumns = ["shares", "clicks", "impressions", "engagements"] as const;

  return {
    // Series and networks (by bucket and network) and sub-teams (by team and network) in one pass.
    teams: db.execute<NetworkRow & { bucket: string | null; team_id: string | null }>(sql`
      select ${bucket} as bucket, r.dimension_id as team_id, r.network, ${sums}
      from (${rollupRows(orgId, "team", sql`dimension_id = any(${subtreeIds})`, figureNetwork, seriesParts)}) r
      group by grouping sets ((${bucket}, r.network), (r.dimension_id, r.network))`),
    // Who shared in each day or week: the share-days index (one entry per person and day).
    sharers:
      period === "month"
        ? Promise.resolve([])
        : db.execute<{ bucket: string; sharers: number }>(sql`
            select ${bucket} as bucket, count(distinct r.dimension_id)::int as sharers
            from daily_rollups r
            where r.org_id = ${orgId} and r.dimension = 'user' and r.dimension_id = any(${memberIds})
              and ${query.network ? sql`r.network = ${query.network}` : sql`r.network = 'all'`} and r.shares > 0 and r.day between ${from}::date and ${to}::date
            group by 1`),
    // team_story ids are "<teamId>:<storyId>": one index range a team, up to the team id and "g"
    // (above every hex digit) under any collation. jit off: the planner overestimates the range
    // and would compile the query; OFFSET 0 keeps the ranges one a team, since with hundreds of
    // teams (a whole organisation's) the same overestimate chose a parallel scan of every row
    // against every team, 7–11 s instead of 0.23 s (docs/design-notes.md, "Manager reports").
    storyRanks: withoutJit(db, (tx) =>
      tx.execute<NetworkRow & { story_id: string }>(sql`
        select split_part(r.dimension_id, ':', 2) as story_id, 'all' as network, ${sumsOf(rankColumns)}
        from unnest(${subtreeIds}) as t(id)
        cross join lateral (${rollupRows(orgId, "team_story", sql`dimension_id >= t.id and dimension_id < t.id || 'g'`, countNetwork, parts, { columns: rankColumns })} offset 0) r
        group by 1`),
    ),
    // Placements: the members' rows by link placement (user_placement, network
    // "<network>:<placement>") summed per placement and network, and the people behind each
    // placement. As a join with the members, not one lookup a member: for a whole organisation
    // the planner then reads the rows in one pass (0.4–0.6 s each against 1.6–2.5 s a member at
    // a time at 100,000 people) and for a team looks each member up (npm run bench -- report).
    placementSums: db.execute<NetworkRow>(sql`
      select r.network, ${sums}
      from (${rollupRows(orgId, "user_placement", sql`dimension_id in (${memberSet})`, placementNetwork(query), parts)}) r
      group by r.network`),
    placementPeople: db.execute<PlacementPeople>(sql`
      select ${sql.raw(linkPlacementIds.map((p) => `count(*) filter (where "${p}")::int as "${p}"`).join(", "))}
      from (
        select r.dimension_id, ${sql.raw(linkPlacementIds.map((p) => `bool_or(r.network like '%:${p}') as "${p}"`).join(", "))}
        from (${rollupRows(orgId, "user_placement", sql`dimension_id in (${memberSet})`, placementNetwork(query), parts, { columns: ["shares"] })}) r
        group by r.dimension_id) people`),
  };
}

type PersonPlacementRow = Omit<NetworkRow, "network"> & { user_id: string; network: string; placement: string };
/** How many of the members have rows of each placement in the range. */
type PlacementPeople = Record<LinkPlacement, number>;

const placementNetwork = (query: ReportQuery) => (query.network ? sql`split_part(network, ':', 1) = ${query.network}` : sql`true`);

/**
 * Each member's figures by network and where the link went, from their own user_placement rows
 * (network "<network>:<placement>"; one index range a member). Reading each share's rows instead
 * took 386 ms for a department's 50,000 shares and 5.6 s for a whole organisation's 500,000
 * (npm run bench -- report).
 */
function placementsByPerson(orgId: string, query: ReportQuery, parts: RangeParts, memberIds: SQL): SQL {
  return sql`
    select r.dimension_id as user_id, split_part(r.network, ':', 1) as network, split_part(r.network, ':', 2) as placement, ${sums}
    from unnest(${memberIds}) as u(id)
    cross join lateral (${rollupRows(orgId, "user_placement", sql`dimension_id = u.id`, placementNetwork(query), parts)} offset 0) r
    group by 1, 2, 3`;
}

/**
 * The placements as every output shows them. When each placement present has five people or
 * more, nothing is held and the sums per placement and network are the rows; otherwise who is
 * behind each is needed to hold the right ones (./privacy.ts), and each member's rows are read
 * for that (a few people, so a small read).
 */
async function placementsShown(db: DbOrTx, orgId: string, query: ReportQuery, memberIds: SQL, sums: readonly NetworkRow[], people: PlacementPeople, emvTable: EmvTable): Promise<TeamReport["placements"]> {
  const present = linkPlacementIds.filter((placement) => people[placement] > 0);
  if (present.some((placement) => !mayShow(people[placement]))) {
    return placementsOf(await db.execute<PersonPlacementRow>(placementsByPerson(orgId, query, rangeParts(query.from, query.to), memberIds)), emvTable);
  }
  return present.map((placement) => {
    const networkRows = sums.flatMap((row) => {
      const [network, rowPlacement] = row.network.split(":");
      return rowPlacement === placement && network && isNetwork(network) ? [{ network, ...figuresOf({ ...row, network }, emvTable) }] : [];
    });
    return placementOutput(groupedPlacementRow(placement, people[placement], networkRows, emvTable));
  });
}

/** Runs reads with JIT compilation off (SET LOCAL: for this transaction only, or the caller's if `db` is one). */
function withoutJit<T>(db: DbOrTx, read: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return read(tx);
  });
}

/**
 * The members' shares by where the link went, through the story analytics' own rows
 * (./placements.ts): a placement fewer than five members used, or the next smallest where the
 * rest would give it away, has neither figures nor its size.
 */
function placementsOf(rows: readonly PersonPlacementRow[], emvTable: EmvTable): TeamReport["placements"] {
  const shareRows = rows
    .filter((r): r is typeof r & { network: NetworkId; placement: LinkPlacement } => isNetwork(r.network) && (linkPlacementIds as readonly string[]).includes(r.placement))
    .map((r) => ({
      userId: r.user_id,
      network: r.network,
      placement: r.placement,
      shares: Number(r.shares),
      clicks: Number(r.clicks),
      uniqueVisitors: Number(r.unique_visitors),
      botClicks: Number(r.bot_clicks),
      impressions: Number(r.impressions),
      engagements: Number(r.engagements),
      estimatedReach: Number(r.estimated_reach),
    }));
  return placementRows(shareRows, emvTable, (userId) => userId ?? "anonymised").map(placementOutput);
}

/** A placement row as the report carries it: ratios to four places, a held row with nothing. */
function placementOutput(row: PlacementRow): TeamReport["placements"][number] {
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10_000) / 10_000);
  return row.suppressed
    ? { placement: row.placement, people: null, suppressed: true, shares: null, clicksPerShare: null, engagementsPerShare: null, impressionsPerShare: null, sharesReportingImpressions: null }
    : {
        placement: row.placement,
        people: row.people,
        suppressed: false,
        shares: row.figures.shares,
        clicksPerShare: round(row.clicksPerShare),
        engagementsPerShare: round(row.engagementsPerShare),
        impressionsPerShare: round(row.impressionsPerShare),
        sharesReportingImpressions: row.sharesReportingImpressions,
      };
}

/** Rows per network summed by `key`, with each network's EMV. */
function figuresBy<K extends string>(rows: ReadonlyArray<NetworkRow & Record<K, string>>, key: K, emvTable: EmvTable): Map<string, Figures> {
  const out = new Map<string, Figures>();
  for (const row of rows) out.set(row[key], addInto(out.get(row[key]) ?? emptyFigures(), figuresOf(row, emvTable)));
  return out;
}

/** The twenty stories with the most clicks (then shares), with their figures per network (for EMV) and titles. */
async function storiesShown(db: DbOrTx, orgId: string, query: ReportQuery, subtree: string[], ranks: ReadonlyArray<NetworkRow & { story_id: string }>, emvTable: EmvTable) {
  const top = ranks
    .map((row) => ({ storyId: row.story_id, figures: figuresOf(row, emvTable) }))
    .filter(({ figures: f }) => f.shares > 0 || f.clicks > 0 || f.impressions > 0 || f.engagements > 0)
    .sort((a, b) => b.figures.clicks - a.figures.clicks || b.figures.shares - a.figures.shares || (a.storyId < b.storyId ? -1 : 1))
    .slice(0, TOP_STORIES);
  if (top.length === 0) return [];
  const pairs = top.flatMap((s) => subtree.map((teamId) => `${teamId}:${s.storyId}`));
  const [rows, titles] = await Promise.all([
    db.execute<NetworkRow & { story_id: string }>(sql`
      select split_part(r.dimension_id, ':', 2) as story_id, r.network, ${sums}
      from (${rollupRows(orgId, "team_story", sql`dimension_id = any(${textArray(pairs)})`, figureNetworkOf(query), rangeParts(query.from, query.to))}) r
      group by 1, 2`),
    db
      .select({ id: stories.id, title: stories.title })
      .from(stories)
      .where(and(eq(stories.orgId, orgId), inArray(stories.id, top.map((s) => s.storyId)))),
  ]);
  const figures = figuresBy(rows, "story_id", emvTable);
  const titleOf = new Map(titles.map((s) => [s.id, s.title]));
  return top.map((s) => ({ storyId: s.storyId, title: titleOf.get(s.storyId) ?? "", figures: rounded(figures.get(s.storyId) ?? s.figures) }));
}

const sum = <K extends string>(rows: ReadonlyArray<Record<K, number>>, key: K) => rows.reduce((total, row) => total + row[key], 0);

/** A month's first day from its index (lib/reach/activity.ts). */
const monthStartOf = (index: number) => `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}-01`;

/**
 * The members, counted in SQL from their memberships (each carries its sharing at a glance,
 * lib/reach/activity.ts): per team how many and how many shared in the range; per join month
 * and month of first share how many (adoption); per month of a monthly series how many shared.
 * Whole months are read from the memberships; the days of a partial month at either end of
 * the range from the share days the user rollups index (one entry a person and day).
 */
function readMembers(db: DbOrTx, orgId: string, query: ReportQuery, ofMembers: SQL | undefined) {
  const parts = rangeParts(query.from, query.to);
  const months: number[] = [];
  if (parts.months) for (let m = monthIndex(parts.months[0]); m <= monthIndex(parts.months[1]); m++) months.push(m);
  const keys = sql`${`{${months.map((m) => monthKey(m, query.network)).join(",")}}`}::int[]`;
  const partial = parts.days.length
    ? sql`select r.dimension_id as user_id, date_trunc('month', r.day)::date::text as month
        from daily_rollups r
        where r.org_id = ${orgId} and r.dimension = 'user' and r.network = ${query.network ?? "all"} and r.shares > 0
          and (${sql.join(parts.days.map(([first, last]) => sql`r.day between ${first}::date and ${last}::date`), sql` or `)})
          and r.dimension_id in (select ${memberships.userId} from ${memberships} where ${ofMembers})
        group by 1, 2`
    : null;
  const sharedInRange = partial
    ? sql`(${memberships.sharedMonths} && ${keys} or ${memberships.userId} in (select user_id from partial))`
    : sql`${memberships.sharedMonths} && ${keys}`;
  const withPartial = partial ? sql`with partial as (${partial})` : sql``;
  return {
    byTeam: db.execute<{ team_id: string; members: number; sharers: number }>(sql`
      ${withPartial}
      select ${memberships.teamId}::text as team_id, count(*)::int as members, count(*) filter (where ${sharedInRange})::int as sharers
      from ${memberships} where ${ofMembers}
      group by 1`),
    cohorts: db.execute<CohortRow>(sql`
      select to_char(coalesce(${memberships.joinedAt}, ${memberships.createdAt}) at time zone 'UTC', 'YYYY-MM') as cohort,
        case when ${memberships.firstSharedOn} <= ${query.to}::date then to_char(${memberships.firstSharedOn}, 'YYYY-MM') end as first_month,
        count(*)::int as people
      from ${memberships} where ${ofMembers}
      group by 1, 2`),
    // A monthly series' sharers per month; days and weeks come from the share days (readRollups).
    monthSharers:
      query.period !== "month"
        ? Promise.resolve([])
        : db
            .execute<{ bucket: string; sharers: number }>(sql`
              ${withPartial}
              select k::text as bucket, count(*)::int as sharers
              from ${memberships} cross join unnest(${memberships.sharedMonths}) as k
              where ${ofMembers} and k = any(${keys})
              group by k
              ${partial ? sql`union all select month, count(*)::int from partial group by month` : sql``}`)
            .then((rows) => rows.map((r) => ({ sharers: r.sharers, bucket: /^\d+$/.test(r.bucket) ? monthStartOf(keyMonth(Number(r.bucket))) : r.bucket }))),
  };
}

/**
 * Leaderboard opt-outs are left out: a top ten is the ranking they said no to, and the team's
 * figures need no names. Their activity still counts in every total, sub-team and series.
 */
async function advocatesShown(db: DbOrTx, orgId: string, query: ReportQuery, eligible: SQL, memberCount: number, emvTable: EmvTable) {
  if (!mayShow(memberCount)) return [];
  const ranked = await db.execute<{ user_id: string; shares: number; clicks: number; engagements: number }>(rankAdvocates(orgId, query, eligible));
  if (ranked.length === 0) return [];
  const ids = ranked.map((a) => a.user_id);
  const [rows, names] = await Promise.all([
    db.execute<NetworkRow & { user_id: string }>(sql`
      select r.dimension_id as user_id, r.network, ${sums}
      from (${rollupRows(orgId, "user", sql`dimension_id = any(${textArray(ids)})`, figureNetworkOf(query), rangeParts(query.from, query.to))}) r
      group by 1, 2`),
    db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids)),
  ]);
  const byPerson = figuresBy(rows, "user_id", emvTable);
  const nameOf = new Map(names.map((u) => [u.id, u.name?.trim() || u.email]));
  return ranked.map((a) => ({
    userId: a.user_id,
    name: nameOf.get(a.user_id) ?? "",
    figures: rounded(byPerson.get(a.user_id) ?? { ...emptyFigures(), shares: a.shares, clicks: a.clicks, engagements: a.engagements }),
  }));
}

/**
 * The ten best of `eligible` (a subquery of user ids) by engagements + clicks + shares over the
 * range, then clicks, then id: one small aggregate a member (a dozen index entries for a year),
 * ranked in SQL so only the ten leave the database.
 */
function rankAdvocates(orgId: string, query: ReportQuery, eligible: SQL): SQL {
  const columns = ["shares", "clicks", "engagements"] as const;
  return sql`
    select u.id as user_id, x.shares, x.clicks, x.engagements
    from (${eligible}) as u(id)
    cross join lateral (
      select ${sumsOf(columns)}
      from (${rollupRows(orgId, "user", sql`dimension_id = u.id`, countNetworkOf(query), rangeParts(query.from, query.to), { columns })}) r) x
    where x.shares + x.clicks + x.engagements > 0
    order by x.shares + x.clicks + x.engagements desc, x.clicks desc, u.id collate "C"
    limit ${TOP_ADVOCATES}`;
}

type CohortRow = { cohort: string; first_month: string | null; people: number };
type Cohort = { cohort: string; people: number; firstShares: Array<{ month: string; people: number }> };

/** Current members by the month they joined (UTC), oldest first; nobody who joined after the range. */
function cohortsOf(rows: readonly CohortRow[], to: string): Cohort[] {
  const byMonth = new Map<string, Cohort>();
  for (const row of rows) {
    if (row.cohort > to.slice(0, 7)) continue;
    let cohort = byMonth.get(row.cohort);
    if (!cohort) byMonth.set(row.cohort, (cohort = { cohort: row.cohort, people: 0, firstShares: [] }));
    cohort.people += row.people;
    if (row.first_month !== null) cohort.firstShares.push({ month: row.first_month, people: row.people });
  }
  return [...byMonth.values()].sort((a, b) => (a.cohort < b.cohort ? -1 : 1));
}

/**
 * The cohorts' rows: each with its size and adoption curve, or neither where ./privacy.ts holds
 * it (members who joined after the range are in the team's size but in no cohort).
 */
function adoptionRows(cohorts: Cohort[], memberCount: number, to: string) {
  const groups = cohorts.map((c) => ({ key: c.cohort, cohort: c, people: c.people }));
  const rows = discloseRows(groups, memberCount - sum(cohorts, "people"), (g) => cohortShares(g.cohort, to));
  return cohorts.map((c) => {
    const group = rows.get(c.cohort)!;
    return { cohort: c.cohort, members: group.size, suppressed: group.suppressed, activeShare: group.figures ?? [] };
  });
}

/**
 * For each month since the cohort joined (up to 12, not past the range): the fraction that had
 * shared by its end (each member counts from the month of their first share on).
 */
function cohortShares(cohort: Cohort, to: string): number[] {
  const start = monthIndex(cohort.cohort);
  const months = Math.min(ADOPTION_MONTHS, monthIndex(to.slice(0, 7)) - start + 1);
  const firstIn = new Array<number>(months).fill(0);
  for (const { month, people } of cohort.firstShares) {
    const k = Math.max(0, monthIndex(month) - start);
    if (k < months) firstIn[k]! += people;
  }
  let shared = 0;
  return firstIn.map((n) => ratio((shared += n), cohort.people));
}
