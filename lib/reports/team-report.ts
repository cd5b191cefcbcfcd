import { performance } from "node:perf_hooks";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { linkPlacementIds, memberships, networkIds, stories, teams, users, type LinkPlacement, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { DomainError, notFound } from "@/lib/errors";
import { currentEmvTable, emvFiguresOf, emvOf, type EmvTable } from "@/lib/reach/emv";
import { ACTIVITY_EPOCH, activityBit, activityMonth, RECENT_MONTHS, recentColumns, SQL_MASK, SQL_MONTH_SHIFT, sqlActivityMonth, sqlRecentMonths, sqlShareBits } from "@/db/share-activity";
import { dailyHorizonOf } from "@/lib/reach/retention";
import { NO_TEAM } from "@/db/rollup-rows";
import { pgArray } from "@/lib/sql-arrays";
import { trustedScope, type Scope } from "@/lib/tenant";
import { monthStart } from "@/lib/time";
import { bucketStarts, firstDayOfMonth, monthIndex, rangeParts, type RangeParts } from "./periods";
import { byName, managedTeamIds, subtreeOf, treeOrder, type TeamRow, type Viewer } from "./team-access";
import { queryOf, questionOf, storeAfterMs, storedReport, storeReport, type StoredKey } from "./stored";
import { groupedPlacementRows, type PlacementRow } from "./placements";
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
/** How many of an organisation's best its top advocates are first looked for among (rankAdvocates). */
const ADVOCATE_CANDIDATES = 100;
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
  return sql`${pgArray(values)}::text[]`;
}

type Dimension = "org" | "user" | "user_placement" | "team" | "story" | "team_story" | "team_placement";

const figureColumns = ["shares", "clicks", "unique_visitors", "bot_clicks", "impressions", "engagements", "estimated_reach"] as const;
type FigureColumn = (typeof figureColumns)[number];

/**
 * `ids` and `network` are conditions on the bare columns. Each branch is one index-only scan; the
 * dimension is inlined so a generic plan still knows it (docs/design-notes.md, "Manager reports").
 *
 * `daysByMonth`, for `ids` that span many ids (a range, or every id): the days of a partial month
 * are read an id at a time, for the ids with a row in that month (an id's days are in its month's
 * row too: lib/reach/rollups.ts). An index range over many ids holds every day each of them ever
 * had, and the days' bounds only filter it: the stories of a department of 16 teams over the
 * page's twelve weeks stepped over every story's days of the year (the ranking read alone,
 * median of 15: 32.8 → 14.5 ms; npm run bench -- report team).
 */
function rollupRows(
  orgId: string,
  dimension: Dimension,
  ids: SQL,
  networks: NetworkCondition,
  parts: RangeParts,
  options: { columns?: readonly FigureColumn[]; daysByMonth?: boolean } = {},
): SQL {
  const dim = sql.raw(`'${dimension}'`);
  const [monthly, daily] = "monthly" in networks ? [networks.monthly, networks.daily] : [networks, networks];
  const columns = sql.raw((options.columns ?? figureColumns).join(", "));
  const branches: SQL[] = [];
  if (parts.months) {
    branches.push(sql`select dimension_id, network, ${columns}, month as day from monthly_rollups
      where org_id = ${orgId} and dimension = ${dim} and ${ids} and ${monthly} and month between ${parts.months[0]}::date and ${parts.months[1]}::date`);
  }
  for (const [first, last] of parts.days) {
    const days = sql`org_id = ${orgId} and dimension = ${dim} and ${daily} and day between ${first}::date and ${last}::date`;
    if (!options.daysByMonth) {
      branches.push(sql`select dimension_id, network, ${columns}, day from daily_rollups where ${days} and ${ids}`);
      continue;
    }
    // The ids with a row by network "all" in the days' month (or months, in a range with no
    // whole month; monthly_rollups_totals), then each id's days; OFFSET 0 keeps both apart, so
    // the planner cannot fold the probes back into one range.
    branches.push(sql`select d.* from (
        select dimension_id as id from monthly_rollups
        where org_id = ${orgId} and dimension = ${dim} and ${ids} and network = 'all' and month between ${monthStart(first)}::date and ${monthStart(last)}::date
        group by dimension_id offset 0) m
      cross join lateral (select dimension_id, network, ${columns}, day from daily_rollups where ${days} and dimension_id = m.id offset 0) d`);
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

/**
 * The summed figure columns of `r` as float8 (numbers, not strings, to the driver); columns not
 * read are 0. Summed as float8 (exact for integers up to 2^53): a bigint's sum is numeric, whose
 * arithmetic took two thirds of a 100,000-person ranking's aggregate (npm run bench -- report org).
 */
function sumsOf(columns: readonly FigureColumn[] = figureColumns): SQL {
  return sql.raw(figureColumns.map((c) => (columns.includes(c) ? `sum(r.${c}::float8) as ${c}` : `0::float8 as ${c}`)).join(", "));
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
export async function teamReport(
  db: DbOrTx,
  scope: Scope,
  viewer: Viewer,
  rawQuery: unknown,
  source: FiguresSource = { db, asOf: null },
  options: { remake?: boolean } = {},
): Promise<TeamReport> {
  const parsed = reportQuerySchema.safeParse(rawQuery);
  if (!parsed.success) throw badQuery(parsed.error);
  const query: ReportQuery = parsed.data;

  // Round trip 1: who may see what, the organisation's (small) team tree, the EMV table, and
  // the team's stored report (./stored.ts), used only once the viewer may see the team.
  const question = questionOf(query);
  const lookedUp = query.teamId && !options.remake ? storedReport(db, scope.orgId, query.teamId, question) : null;
  lookedUp?.catch(() => null);
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

  if (!options.remake) {
    const stored = await (lookedUp ?? storedReport(db, scope.orgId, team.id, question));
    if (stored) return stored;
  }
  const madeAt = new Date();
  const started = performance.now();
  const report = await makeReport(db, source.db, scope, query, team, allTeams, emvTable);
  const madeInMs = performance.now() - started;
  if (options.remake || madeInMs >= storeAfterMs()) {
    await storeReport(db, scope.orgId, team.id, question, { ...report, asOf: source.asOf?.toISOString() ?? null }, madeInMs, madeAt);
  }
  return report;
}

/**
 * A stored report made again and stored (the workers' minute, ./stored.ts): the report does not
 * depend on who reads it, only whether they may, so it is made as the organisation's admins see it.
 */
export function remakeReport(db: DbOrTx, key: StoredKey, source: FiguresSource): Promise<TeamReport> {
  const scope = trustedScope(key.orgId, { kind: "system" });
  return teamReport(db, scope, { userId: "system", roles: ["admin"] }, { teamId: key.teamId, ...queryOf(key.question) }, source, { remake: true });
}

/** Where a report's figures are read: the primary, or a read replica current as of `asOf` (lib/db.ts withReportsRead). */
export type FiguresSource = { db: DbOrTx; asOf: Date | null };

/** The report itself, once the viewer may see `team` and the range is readable. */
async function makeReport(db: DbOrTx, figures: DbOrTx, scope: Scope, query: ReportQuery, team: TeamRow, allTeams: TeamRow[], emvTable: EmvTable): Promise<TeamReport> {
  const subtree = subtreeOf(team.id, allTeams);
  const children = allTeams.filter((t) => t.parentId === team.id).sort((a, b) => byName.compare(a.name, b.name));

  // Round trip 2: the members (counted in SQL, never listed) and every rollup read at once (the
  // reads take the member ids from the same condition in SQL rather than wait for a list); the
  // top stories and advocates come ranked with their figures, one statement each.
  const ofMembers = and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active"), inArray(memberships.teamId, subtree));
  const memberSet = sql`select ${memberships.userId} from ${memberships} where ${ofMembers}`;
  // Who may see what and who is in the team come from `db` (the primary: a manager removed
  // from a team is refused at once), with each member's activity (lib/reach/activity.ts); the
  // figures from `figures` (a read replica, when fresh).
  const people = readMembers(db, scope.orgId, query, ofMembers);
  const everyTeam = subtree.length === allTeams.length;
  const reads = readRollups(figures, scope.orgId, query, subtree, memberSet, everyTeam);
  const [{ byTeam, cohorts: cohortRows, monthSharers }, teamRows, sharerRows, placementSums, topStories, topAdvocates] = await Promise.all([
    people,
    reads.teams,
    reads.sharers,
    reads.placementSums,
    reads.topStories.then((rows) => topOf(rows, "story_id", emvTable).map(({ id, title, figures }) => ({ storyId: id, title, figures }))),
    advocatesShown(figures, scope.orgId, query, sql`select ${memberships.userId} from ${memberships} where ${ofMembers} and not ${memberships.leaderboardOptOut}`, emvTable, everyTeam),
  ]);
  const inTeams = (teamIds: ReadonlySet<string>, key: "members" | "sharers") => sum(byTeam.filter((r) => teamIds.has(r.team_id)), key);
  const placements = placementsShown(placementSums, (set) => sum(byTeam, setName(set)), emvTable);
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
// is read (docs/design-notes.md, "Manager reports"; measured in "Performance history"). The
// monthly 'all' rows have a covering index of their own (monthly_rollups_totals), which the plain
// condition selects: a ranking then steps over no rows per network.
const network = sql.raw(`(network collate "C")`);
const figureNetworkOf = (query: ReportQuery) => (query.network ? sql`${network} = ${query.network}` : sql`${network} <> 'all'`);
const countNetworkOf = (query: ReportQuery): NetworkCondition =>
  query.network ? sql`${network} = ${query.network}` : { monthly: sql`network = 'all'`, daily: sql`${network} = 'all'` };

/** Share days by network and placement (`r`): the placement-days index's condition, in its own words (db/backfills.ts). */
const placementDays = sql.raw(`r.dimension = 'user_placement' and r.shares > 0`);
/** The days each person shared, over every network: the share-days index's condition (db/schema/reach.ts). */
const shareDays = sql.raw(`r.dimension = 'user' and r.network = 'all' and r.shares > 0`);

/** A condition on the network column, or one for each table. */
type NetworkCondition = SQL | { monthly: SQL; daily: SQL };

/**
 * Sent at once and not awaited, so what follows each ranking starts as soon as it is in.
 * `memberSet` is a subquery of the members' user ids.
 */
function readRollups(db: DbOrTx, orgId: string, query: ReportQuery, subtree: string[], memberSet: SQL, everyTeam: boolean) {
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
    // Who shared in each day or week. A whole organisation's: the placement-days index (an
    // entry per person, day, network and placement), a range of days hashed with the members
    // (280 → 158 ms at 100,000). A team's over every network: each member's share days
    // (daily_rollups_share_days, an entry per day shared), where their rows by placement held
    // every network, placement and day with a click (a department's twelve weeks: 46 entries
    // stepped over a member for 12 kept; the read alone 30.6 → 20.4 ms, median of 15;
    // npm run bench -- report team).
    sharers:
      period === "month"
        ? Promise.resolve([])
        : withSettings(db, ["parallel"], (tx) =>
            tx.execute<{ bucket: string; sharers: number }>(sql`
              select ${bucket} as bucket, count(distinct r.dimension_id)::int as sharers
              from daily_rollups r
              where r.org_id = ${orgId} and r.dimension_id in (${memberSet}) and r.day between ${from}::date and ${to}::date
                and ${everyTeam || query.network ? sql`${placementDays} and ${placementNetwork(query)}` : shareDays}
              group by 1`),
          ),
    // The twenty stories with the most clicks (then shares), ranked in SQL, with their figures
    // per network (for EMV) and titles, in one statement.
    topStories: withSettings(db, ["jit"], (tx) =>
      tx.execute<TopRow & { story_id: string; title: string | null }>(sql`
        with ranks as (
          select r.story_id, ${sumsOf(rankColumns)}
          from (${everyTeam ? everyTeamsStories(orgId, countNetwork, parts, rankColumns, null) : teamStories(orgId, subtreeIds, countNetwork, parts, rankColumns)}) r
          group by 1),
        top as (
          select story_id, shares, clicks, row_number() over (order by clicks desc, shares desc, story_id collate "C") as rank
          from ranks where shares > 0 or clicks > 0 or impressions > 0 or engagements > 0
          order by rank limit ${TOP_STORIES})
        select top.story_id, top.rank, top.shares as rank_shares, top.clicks as rank_clicks, s.title, f.*
        from top
        left join ${stories} s on s.org_id = ${orgId} and s.id = top.story_id::uuid
        left join lateral (
          select r.network, ${sums}
          from (${
            everyTeam
              ? everyTeamsStories(orgId, figureNetwork, parts, figureColumns, sql`top.story_id`)
              : rollupRows(orgId, "team_story", sql`dimension_id = any(array(select t.id || ':' || top.story_id from unnest(${subtreeIds}) as t(id)))`, figureNetwork, parts)
          }) r
          group by r.network) f on true`),
    ),
    // Placements: the team rows by link placement (team_placement, network
    // "<network>:<placement>") summed per placement and network; their people are the members'.
    placementSums: withSettings(db, parts.days.length ? ["parallel"] : [], (tx) =>
      tx.execute<NetworkRow>(sql`
        select r.network, ${sums}
        from (${everyTeam ? everyTeamsPlacements(orgId, query, parts) : rollupRows(orgId, "team_placement", sql`dimension_id = any(${subtreeIds})`, placementNetwork(query), parts)}) r
        group by r.network`),
    ),
  };
}

/**
 * The teams' rows by story (dimension_id "<teamId>:<storyId>"), with story_id: one index range
 * a team, up to the team id and "g" (above every hex digit) under any collation. OFFSET 0 keeps
 * the ranges one a team: with hundreds of teams the planner's overestimate of each range chose a
 * parallel scan of every row against every team, 7–11 s instead of 0.23 s, and would compile
 * the query (hence jit off; docs/design-notes.md, "Manager reports").
 */
function teamStories(orgId: string, subtreeIds: SQL, networks: NetworkCondition, parts: RangeParts, columns: readonly FigureColumn[]): SQL {
  return sql`
    select split_part(r.dimension_id, ':', 2) as story_id, r.*
    from unnest(${subtreeIds}) as t(id)
    cross join lateral (${rollupRows(orgId, "team_story", sql`dimension_id >= t.id and dimension_id < t.id || 'g'`, networks, parts, { columns, daysByMonth: true })} offset 0) r`;
}

/**
 * What every team's rows by story add up to, when the report's team holds every team: each
 * story's own rows less its rows of no team ("none:<storyId>", shares by people in no team or
 * in a team since deleted; lib/reach/rollups.ts). A row a story and month instead of one a
 * team, story and month: 258,336 rows became 727 for 100,000 people in 621 teams
 * (npm run bench -- report org). `story` is one story's id (an SQL expression), or null: all.
 */
function everyTeamsStories(orgId: string, networks: NetworkCondition, parts: RangeParts, columns: readonly FigureColumn[], story: SQL | null): SQL {
  const negated = sql.raw(columns.map((c) => `-${c} as ${c}`).join(", "));
  const list = sql.raw(columns.join(", "));
  return sql`
    select dimension_id as story_id, network, ${list}, day
    from (${rollupRows(orgId, "story", story ? sql`dimension_id = ${story}` : sql`true`, networks, parts, { columns, daysByMonth: !story })}) s
    union all
    select split_part(dimension_id, ':', 2), network, ${negated}, day
    from (${rollupRows(orgId, "team_story", story ? sql`dimension_id = ${`${NO_TEAM}:`} || ${story}` : sql`dimension_id >= ${`${NO_TEAM}:`} and dimension_id < ${`${NO_TEAM}:g`}`, networks, parts, { columns, daysByMonth: !story })}) n`;
}

/**
 * What every team's rows by placement add up to, when the report's team holds every team: the
 * organisation's rows by placement less those of no team ("none": shares by people in no team
 * or in a team since deleted; lib/reach/rollups.ts). A row a network, placement and month
 * instead of one a team: for 100,000 people in 621 teams over 12 months, 144 rows instead of
 * 57,260, 57 → 0.8 ms (npm run bench -- report org).
 */
function everyTeamsPlacements(orgId: string, query: ReportQuery, parts: RangeParts): SQL {
  const negated = sql.raw(figureColumns.map((c) => `-${c} as ${c}`).join(", "));
  return sql`
    select dimension_id, network, ${sql.raw(figureColumns.join(", "))}, day
    from (${rollupRows(orgId, "org", sql`dimension_id = ${orgId}`, sql`${placementNetwork(query)} and network like '%:%'`, parts)}) o
    union all
    select dimension_id, network, ${negated}, day
    from (${rollupRows(orgId, "team_placement", sql`dimension_id = ${NO_TEAM}`, placementNetwork(query), parts)}) n`;
}

const placementNetwork = (query: ReportQuery) => (query.network ? sql`split_part(network, ':', 1) = ${query.network}` : sql`true`);

/**
 * The placements as every output shows them (./placements.ts): `people(placements)` is how many
 * members shared with any of them in the range, so a placement fewer than five used, or the
 * next smallest where the rest would give it away, has neither figures nor its size.
 */
function placementsShown(sums: readonly NetworkRow[], people: (placements: readonly LinkPlacement[]) => number, emvTable: EmvTable): TeamReport["placements"] {
  const rows = sums.flatMap((row) => {
    const [network, placement] = row.network.split(":");
    return network && isNetwork(network) && (linkPlacementIds as readonly string[]).includes(placement!)
      ? [{ ...figuresOf({ ...row, network }, emvTable), network, placement: placement as LinkPlacement }]
      : [];
  });
  return groupedPlacementRows(rows, people, emvTable).map(placementOutput);
}

/**
 * Planner settings a read changes: JIT compilation off, the memoizing of a per-row subquery
 * off, and no parallel workers (a read over daily rows of a whole organisation was planned as a
 * parallel append of its months and days, sorted on the planner's guess of 200 people and
 * spilling to disk, and its workers took the cores the report's other reads were running on:
 * the page's twelve weeks at 100,000 people, 1,000 → 520 ms; npm run bench -- report org).
 */
const plannerSettings = { jit: ["jit", "off"], memoize: ["enable_memoize", "off"], parallel: ["max_parallel_workers_per_gather", "0"] } as const;
type PlannerSetting = keyof typeof plannerSettings;

/**
 * Runs reads with `settings` changed (set_config local: for this transaction only, or the
 * caller's if `db` is one), in one statement; none: the reads as they are, with no transaction.
 */
function withSettings<T>(db: DbOrTx, settings: readonly PlannerSetting[], read: (tx: DbOrTx) => Promise<T>): Promise<T> {
  if (settings.length === 0) return read(db);
  return db.transaction(async (tx) => {
    const changes = settings.map((key) => plannerSettings[key]).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
    await tx.execute(sql`select ${sql.join(changes, sql`, `)}`);
    return read(tx);
  });
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

/** A ranked row of the top stories or advocates: its rank and ranking counts, then one network's figures (none: no rows). */
type TopRow = { rank: number | string; rank_shares: number; rank_clicks: number; rank_engagements?: number } & { [K in keyof NetworkRow]: NetworkRow[K] | null };

/** Ranked rows (one a network) as the report lists them: in rank order, each network's EMV summed. */
function topOf<K extends string>(rows: ReadonlyArray<TopRow & Record<K, string> & { title: string | null }>, key: K, emvTable: EmvTable) {
  const out = new Map<string, { id: string; rank: number; title: string; figures: Figures }>();
  for (const row of rows) {
    let item = out.get(row[key]);
    if (!item) {
      const figures = { ...emptyFigures(), shares: Number(row.rank_shares), clicks: Number(row.rank_clicks), engagements: Number(row.rank_engagements ?? 0) };
      out.set(row[key], (item = { id: row[key], rank: Number(row.rank), title: row.title ?? "", figures: row.network === null ? figures : emptyFigures() }));
    }
    if (row.network !== null) addInto(item.figures, figuresOf(row as NetworkRow, emvTable));
  }
  return [...out.values()].sort((a, b) => a.rank - b.rank).map((item) => ({ ...item, figures: rounded(item.figures) }));
}

const sum = <K extends string>(rows: ReadonlyArray<Record<K, number>>, key: K) => rows.reduce((total, row) => total + row[key], 0);


/** The placements' groups whose people the privacy rule may need together: every non-empty set of them. */
const placementSets = Array.from({ length: (1 << linkPlacementIds.length) - 1 }, (_, i) => linkPlacementIds.filter((_, j) => ((i + 1) >> j) & 1));
const setName = (placements: readonly string[]) => [...placements].sort().join("+");

type MemberRow = { by_cohort: boolean; team_id: string; cohort: string | null; first_month: string | null; members: number; sharers: number } & Record<string, number>;

/**
 * The members, counted in SQL from their memberships (each carries its sharing at a glance,
 * lib/reach/activity.ts, db/share-activity.ts): per team how many, how many shared in the
 * range, and how many shared with each set of link placements (the people behind the
 * placements); per join month and month of first share how many (adoption); per month of a
 * monthly series how many shared. Each member's whole months in the range are or-ed into one
 * mask, with the days of a partial month at either end of the range from their daily rows by
 * placement, and every count is a bit test of it.
 */
function readMembers(db: DbOrTx, orgId: string, query: ReportQuery, ofMembers: SQL | undefined) {
  const parts = rangeParts(query.from, query.to);
  const network = query.network;
  const [first, last] = parts.months ? [activityMonth(parts.months[0]), activityMonth(parts.months[1])] : [1, 0];
  // A monthly series' months, counted from the range's first (bit i of a member's `months`).
  const start = activityMonth(query.from);
  const seriesMonths = query.period === "month" ? activityMonth(query.to) - start + 1 : 0;
  const shift = sql.raw(SQL_MONTH_SHIFT);
  const mask = sql.raw(SQL_MASK);
  // The bits of having shared (on the report's network, if any) with one of `placements` (undefined: any).
  const bits = (placements: readonly (LinkPlacement | undefined)[]) => sql.raw(String(placements.reduce((sum, placement) => sum + activityBit(network, placement), 0)));
  const any = bits([undefined]);
  // Per member: the mask of their shares on the days of a partial month in the range, and those
  // months. Grouped per person from the days in one pass and joined, not looked up a member: at
  // a whole organisation 100,000 lookups took 900 ms, one range of the placement-days index 240
  // (npm run bench -- report org, the page's twelve weeks).
  const partial = parts.days.length
    ? sql`left join (
        select p.user_id, bit_or(p.mask) as mask, bit_or(1::bigint << (p.month - ${start})::int) filter (where (p.mask & ${any}) <> 0) as months
        from (
          select r.dimension_id as user_id, ${sql.raw(sqlActivityMonth("r.day"))} as month, ${sql.raw(sqlShareBits("r.network"))} as mask
          from daily_rollups r
          where r.org_id = ${orgId} and ${placementDays}
            and (${sql.join(parts.days.map(([from, to]) => sql`r.day between ${from}::date and ${to}::date`), sql` or `)})) p
        group by p.user_id) p on p.user_id = ${memberships.userId}`
    : sql``;
  // Per member, once: what they shared with in the whole months of the range, and the series'
  // months they shared in. From their shared months, an aggregate of each (a lateral; as a
  // select-list subquery it ran again for every count), or, for every network over recent
  // months, a shift and a mask of their recent columns (db/share-activity.ts), with the aggregate
  // only for a member whose latest month is too far past the range for those to hold it: at a
  // whole organisation the aggregates were half of this pass.
  const fromSharedMonths = (select: SQL) => sql`(select ${select} from unnest(${memberships.sharedMonths}) e where e >> ${shift} between ${first} and ${last})`;
  const maskOf = sql`coalesce(bit_or(e & ${mask}), 0)`;
  const monthsOf = sql`coalesce(bit_or(1::bigint << ((e >> ${shift}) - ${start})::int) filter (where (e & ${any}) <> 0), 0)`;
  let whole = sql`lateral ${fromSharedMonths(sql`${maskOf} as mask, ${monthsOf} as months`)} w`;
  const recentOnly = !network && parts.months !== null && last - first < RECENT_MONTHS;
  if (recentOnly) {
    const recent = sqlRecentMonths(`"memberships"`, first, last);
    const placed = (Object.keys(recentColumns) as Array<keyof typeof recentColumns>).map((key) => {
      const bit = activityBit(undefined, key === "shared" ? undefined : key);
      return `(case when ${recent.bits(recentColumns[key])} <> 0 then ${bit} else 0 end)`;
    });
    const covers = sql.raw(recent.covers);
    whole = sql`lateral (select
        case when ${covers} then ${sql.raw(placed.join(" | "))}::bigint else ${fromSharedMonths(maskOf)} end as mask,
        case when ${covers} then ${sql.raw(recent.bits(recentColumns.shared))} << ${first - start} else ${fromSharedMonths(monthsOf)} end as months) w`;
  }
  const perMember = sql`
    select ${memberships.teamId} as team_id,
      ${memberships.joinedMonth} as cohort,
      case when ${memberships.firstSharedOn} <= ${query.to}::date then ${memberships.firstSharedMonth} end as first_month,
      w.mask ${parts.days.length ? sql`| coalesce(p.mask, 0)` : sql``} as mask,
      w.months ${parts.days.length ? sql`| coalesce(p.months, 0)` : sql``} as months
    from ${memberships}
    cross join ${whole}
    ${partial}
    where ${ofMembers}`;
  const shared = (placements: readonly (LinkPlacement | undefined)[]) => sql`(x.mask & ${bits(placements)}) <> 0`;
  const columns = [
    sql`count(*) filter (where ${shared([undefined])})::int as sharers`,
    ...placementSets.map((set) => sql`count(*) filter (where ${shared(set)})::int as ${sql.identifier(setName(set))}`),
    ...Array.from({ length: seriesMonths }, (_, i) => sql`count(*) filter (where (x.months & ${sql.raw(String(2 ** i))}) <> 0)::int as ${sql.identifier(`m${i}`)}`),
  ];
  // Per team (the counts) and per join month and month of first share (adoption), in one pass;
  // months and teams are named after grouping (to_char on every membership was a tenth of the
  // pass, a team's id as text on every membership 13 of 150 ms at 100,000 people).
  // Memoize off for the aggregate a member: it cached each member's aggregate by their months,
  // which nearly never repeat (92 % misses at 100,000 people), and cost a fifth of the pass. The
  // recent columns need no setting, so that statement goes at once, not after the setting's
  // round trips (which waited 30 ms behind the other reads for the two cores).
  const count = (tx: DbOrTx) =>
    tx.execute<MemberRow>(sql`
      select grouping(x.team_id) = 1 as by_cohort, x.team_id::text as team_id, to_char(x.cohort, 'YYYY-MM') as cohort, to_char(x.first_month, 'YYYY-MM') as first_month,
        count(*)::int as members, ${sql.join(columns, sql`, `)}
      from (${perMember}) x
      group by grouping sets ((x.team_id), (x.cohort, x.first_month))`);
  const rows = withSettings(db, recentOnly ? [] : ["memoize"], count);
  return rows.then((all) => {
    const byTeam = all.filter((r) => !r.by_cohort);
    const monthSharers = Array.from({ length: seriesMonths }, (_, i) => ({ bucket: firstDayOfMonth(start + i + ACTIVITY_EPOCH), sharers: sum(byTeam, `m${i}`) }));
    const cohorts = all.filter((r) => r.by_cohort).map((r): CohortRow => ({ cohort: r.cohort!, first_month: r.first_month, people: r.members }));
    return { byTeam, cohorts, monthSharers };
  });
}

/**
 * Leaderboard opt-outs are left out: a top ten is the ranking they said no to, and the team's
 * figures need no names. Their activity still counts in every total, sub-team and series.
 * For a team that holds every team, the ten are looked for among the organisation's best
 * (rankAdvocates); when fewer than ten of those may be shown, among everyone who may.
 */
async function advocatesShown(db: DbOrTx, orgId: string, query: ReportQuery, eligible: SQL, emvTable: EmvTable, everyTeam: boolean) {
  // A partial month's days are a branch of their own: no parallel plan (withSettings).
  const settings: PlannerSetting[] = rangeParts(query.from, query.to).days.length ? ["parallel"] : [];
  const read = (ranking: SQL) =>
    withSettings(db, settings, (tx) => tx.execute<TopRow & { user_id: string; title: string | null }>(sql`
      with top as (${ranking})
      select top.user_id, top.rank, top.shares as rank_shares, top.clicks as rank_clicks, top.engagements as rank_engagements,
        coalesce(nullif(trim(u.name), ''), u.email) as title, f.*
      from top
      left join ${users} u on u.id = top.user_id
      left join lateral (
        select r.network, ${sums}
        from (${rollupRows(orgId, "user", sql`dimension_id = top.user_id`, figureNetworkOf(query), rangeParts(query.from, query.to))}) r
        group by r.network) f on true`),
    );
  let rows = await read(rankAdvocates(orgId, query, eligible, everyTeam ? ADVOCATE_CANDIDATES : null));
  if (everyTeam && new Set(rows.map((row) => row.user_id)).size < TOP_ADVOCATES) rows = await read(rankAdvocates(orgId, query, eligible, null));
  return topOf(rows, "user_id", emvTable).map(({ id, title, figures }) => ({ userId: id, name: title, figures }));
}

/**
 * The ten best of `eligible` (a subquery of user ids) by engagements + clicks + shares over the
 * range, then clicks, then id, ranked in SQL so only the ten leave the database. A join, not a
 * subquery a member: the planner probes each member's rows for a department, and reads the
 * organisation's person rows in one index range for a whole organisation, where 100,000 probes
 * took twice as long (npm run bench -- report org).
 *
 * With `candidates`, the ten are the first eligible among that many of the organisation's best,
 * everyone ranked: exact when ten are found (anyone eligible further down ranks below all of
 * them), and it spares a whole organisation's ranking the join of every person row with the
 * memberships (236 → 156 ms at 100,000 people).
 */
function rankAdvocates(orgId: string, query: ReportQuery, eligible: SQL, candidates: number | null): SQL {
  const columns = ["shares", "clicks", "engagements"] as const;
  const order = sql.raw(`x.shares + x.clicks + x.engagements desc, x.clicks desc, x.user_id collate "C"`);
  const { months, days } = rangeParts(query.from, query.to);
  const ids = candidates === null ? sql`dimension_id in (${eligible})` : sql`true`;
  // Whole months from the person rows; the days of a partial month from their rows by
  // placement (which add up to the same), through the placement-days index: one range of
  // days for a whole organisation, where the person rows' index is ordered by person and
  // held every day each person ever had.
  const branches = [
    ...(months ? [rollupRows(orgId, "user", ids, countNetworkOf(query), { months, days: [] }, { columns })] : []),
    ...(days.length ? [rollupRows(orgId, "user_placement", ids, placementNetwork(query), { months: null, days }, { columns })] : []),
  ];
  const ranked = sql`
    select x.user_id, x.shares, x.clicks, x.engagements
    from (
      select r.dimension_id as user_id, ${sumsOf(columns)}
      from (${sql.join(branches, sql` union all `)}) r
      group by r.dimension_id) x
    where x.shares + x.clicks + x.engagements > 0
    order by ${order}
    limit ${candidates ?? TOP_ADVOCATES}`;
  const best = candidates === null ? ranked : sql`select x.* from (${ranked}) x where x.user_id in (${eligible}) order by ${order} limit ${TOP_ADVOCATES}`;
  // Numbered after the limit: a row_number over every person would sort them all (100,000 at a
  // whole organisation, past work_mem onto disk: a fifth of the ranking), where the limit alone
  // keeps the best ten as it goes.
  return sql`
    select x.*, row_number() over (order by ${order}) as rank
    from (${best}) x`;
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
