import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { memberships, networkIds, stories, teamManagers, teams, users, type NetworkId, type Role } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { DomainError, notFound } from "@/lib/errors";
import { currentEmvTable, emvFiguresOf, emvOf, type EmvTable } from "@/lib/reach/emv";
import { teamAndDescendantIds } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { MIN_GROUP_SIZE, reportPeriods, reportQuerySchema, type Figures, type ReportPeriod, type ReportQuery, type TeamReport } from "./schemas";

/**
 * Manager reports: reach, clicks, engagements, EMV, shares and participation for a team
 * and its sub-teams, read from daily_rollups only (plus the small tables for names and
 * who is in which team). Raw click events and shares never give a figure here.
 *
 * - Team figures are the team-dimension rows of the team and every sub-team (a share
 *   counts for the team its sharer was in when the event happened).
 * - EMV is computed per network from network-specific rows (each network has its own
 *   rates) and summed; 'all' rows are only read for a member's first share (adoption).
 * - Participation is active sharers ÷ active members, both over the team's current
 *   members (sub-teams included): who shared at least once in the period.
 * - Any group smaller than MIN_GROUP_SIZE active members (the team, a sub-team, a join
 *   cohort) is suppressed: its row says so and carries no figures at all.
 */

export type Viewer = { userId: string; roles: readonly Role[] };

const TOP_STORIES = 20;
const TOP_ADVOCATES = 10;
const ADOPTION_MONTHS = 12;

// ── Small pure helpers ─────────────────────────────────────────────────────────────────

export function emptyFigures(): Figures {
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

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first day of the period holding `day`: itself, its ISO week's Monday, or the 1st of its month. */
export function bucketStart(day: string, period: ReportPeriod): string {
  if (period === "day") return day;
  if (period === "month") return `${day.slice(0, 7)}-01`;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
  return addDays(day, 1 - weekday);
}

function nextBucket(start: string, period: ReportPeriod): string {
  if (period === "day") return addDays(start, 1);
  if (period === "week") return addDays(start, 7);
  const [y, m] = start.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** Every bucket start from the one holding `from` to the one holding `to`. */
export function bucketStarts(from: string, to: string, period: ReportPeriod): string[] {
  const out: string[] = [];
  for (let start = bucketStart(from, period); start <= to; start = nextBucket(start, period)) out.push(start);
  return out;
}

function monthIndex(month: string): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return y * 12 + (m - 1);
}

function lastDayOfMonth(index: number): string {
  return new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).toISOString().slice(0, 10);
}

/** A Postgres text[] literal, one bound parameter however many ids (quoted, so any text is safe). */
function textArray(values: readonly string[]): SQL {
  const literal = `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
  return sql`${literal}::text[]`;
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

const sums = sql.raw(`
  sum(r.shares)::float8 as shares, sum(r.clicks)::float8 as clicks, sum(r.unique_visitors)::float8 as unique_visitors,
  sum(r.bot_clicks)::float8 as bot_clicks, sum(r.impressions)::float8 as impressions, sum(r.engagements)::float8 as engagements,
  sum(r.estimated_reach)::float8 as estimated_reach`);

// ── Which teams a viewer may see ───────────────────────────────────────────────────────

type TeamRow = { id: string; parentId: string | null; name: string };

const byName = new Intl.Collator("da", { sensitivity: "base", numeric: true });

/** Depth-first, siblings by name (Danish order); roots are the teams whose parent is not in the list. */
function treeOrder(list: TeamRow[]): Array<{ id: string; name: string; depth: number }> {
  const ids = new Set(list.map((t) => t.id));
  const children = new Map<string | null, TeamRow[]>();
  for (const team of list) {
    const parent = team.parentId && ids.has(team.parentId) ? team.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), team]);
  }
  const out: Array<{ id: string; name: string; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const team of (children.get(parent) ?? []).sort((a, b) => byName.compare(a.name, b.name))) {
      out.push({ id: team.id, name: team.name, depth });
      walk(team.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

async function rolesOf(db: DbOrTx, scope: Scope, userId: string): Promise<Role[]> {
  const [row] = await db
    .select({ roles: memberships.roles })
    .from(memberships)
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId), eq(memberships.status, "active")))
    .limit(1);
  return row?.roles ?? [];
}

/** Team ids a viewer may report on; null = every team of the organisation (admins). */
async function visibleTeamIds(db: DbOrTx, scope: Scope, viewer: Viewer): Promise<Set<string> | null> {
  if (viewer.roles.includes("admin")) return null;
  if (!viewer.roles.includes("manager")) return new Set();
  const direct = await db
    .select({ teamId: teamManagers.teamId })
    .from(teamManagers)
    .where(and(eq(teamManagers.orgId, scope.orgId), eq(teamManagers.userId, viewer.userId)));
  return new Set(await teamAndDescendantIds(db, scope, direct.map((d) => d.teamId)));
}

/**
 * The teams a person may report on, as an indented tree: the teams they manage and all
 * their sub-teams (depth 0 = a team they manage); for admins every team of the organisation.
 */
export async function managedTeams(db: DbOrTx, scope: Scope, userId: string): Promise<Array<{ id: string; name: string; depth: number }>> {
  const visible = await visibleTeamIds(db, scope, { userId, roles: await rolesOf(db, scope, userId) });
  if (visible && visible.size === 0) return [];
  const rows = await db
    .select({ id: teams.id, parentId: teams.parentId, name: teams.name })
    .from(teams)
    .where(and(eq(teams.orgId, scope.orgId), visible ? inArray(teams.id, [...visible]) : undefined));
  return treeOrder(rows);
}

// ── The report ─────────────────────────────────────────────────────────────────────────

function badQuery(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): DomainError {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) (fieldErrors[issue.path.map(String).join(".") || "_"] ??= []).push(issue.message);
  return new DomainError(400, "invalidInput", "The report query is invalid", fieldErrors);
}

type Member = { userId: string; teamId: string; joinedAt: Date; optOut: boolean };

/** Ids of a team and everything below it, from the organisation's whole (small) team list. */
function subtreeOf(rootId: string, list: TeamRow[]): string[] {
  const children = new Map<string, string[]>();
  for (const t of list) if (t.parentId) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
  const out: string[] = [];
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/**
 * The report on one team (with its sub-teams) for a range of UTC days. No teamId: the
 * viewer's first managed team. Another organisation's or an unknown team is not found;
 * a team the viewer neither manages nor sits under one they manage is forbidden (admins
 * see every team of their organisation). A reversed or over-two-year range is a 400.
 */
export async function teamReport(db: DbOrTx, scope: Scope, viewer: Viewer, rawQuery: unknown): Promise<TeamReport> {
  const parsed = reportQuerySchema.safeParse(rawQuery);
  if (!parsed.success) throw badQuery(parsed.error);
  const query: ReportQuery = parsed.data;

  const [visible, allTeams] = await Promise.all([
    visibleTeamIds(db, scope, viewer),
    db.select({ id: teams.id, parentId: teams.parentId, name: teams.name }).from(teams).where(eq(teams.orgId, scope.orgId)),
  ]);
  let teamId = query.teamId;
  if (!teamId) {
    const first = treeOrder(visible ? allTeams.filter((t) => visible.has(t.id)) : allTeams)[0];
    if (!first) throw new DomainError(404, "noManagedTeam", "You manage no team to report on");
    teamId = first.id;
  }
  const team = allTeams.find((t) => t.id === teamId);
  if (!team) throw notFound("Team");
  if (visible && !visible.has(team.id)) throw new DomainError(403, "forbidden", "You do not manage this team");

  const subtree = subtreeOf(team.id, allTeams);
  const children = allTeams.filter((t) => t.parentId === team.id).sort((a, b) => byName.compare(a.name, b.name));
  const childSubtrees = new Map(children.map((c) => [c.id, new Set(subtreeOf(c.id, allTeams))]));

  const [memberRows, emvTable] = await Promise.all([
    db
      .select({ userId: memberships.userId, teamId: memberships.teamId, joinedAt: memberships.joinedAt, createdAt: memberships.createdAt, optOut: memberships.leaderboardOptOut })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active"), inArray(memberships.teamId, subtree))),
    currentEmvTable(db, scope.orgId),
  ]);
  const members: Member[] = memberRows.map((m) => ({ userId: m.userId, teamId: m.teamId!, joinedAt: m.joinedAt ?? m.createdAt, optOut: m.optOut }));
  const membersOf = (teamIds: Set<string>) => members.filter((m) => teamIds.has(m.teamId));

  const { from, to, period } = query;
  const base = {
    team: { id: team.id, name: team.name, memberCount: members.length },
    range: { from, to, period },
    emv: { version: emvTable.version, formula: emvTable.formula, currency: emvTable.currency },
  };
  const adoptionCohorts = cohortsOf(members, to);

  if (members.length < MIN_GROUP_SIZE) {
    return {
      ...base,
      suppressed: true,
      totals: null,
      series: [],
      subTeams: children.map((c) => ({ id: c.id, name: c.name, memberCount: membersOf(childSubtrees.get(c.id)!).length, suppressed: true, figures: null })),
      stories: [],
      networks: [],
      topAdvocates: [],
      adoption: adoptionCohorts.map((c) => ({ cohort: c.cohort, members: c.userIds.length, suppressed: true, activeShare: [] })),
    };
  }

  // Figures come from network-specific rows (EMV is per network); their sum over networks is the 'all' row.
  const figureNetwork = query.network ? sql`r.network = ${query.network}` : sql`r.network <> 'all'`;
  const inRange = sql`r.day between ${from}::date and ${to}::date`;
  // Inlined, not bound: Postgres matches a grouped expression with its select-list twin only
  // when they are the same text, and two bound parameters are not. period is one of three words.
  if (!reportPeriods.includes(period)) throw new Error(`unknown period ${period}`);
  const bucket = sql.raw(`date_trunc('${period}', r.day::timestamp)::date::text`);
  const userIds = members.map((m) => m.userId);

  const [teamRows, userRows, storyRows, firstShares] = await Promise.all([
    // Series and networks (by bucket and network) and sub-teams (by team and network) in one pass.
    db.execute<NetworkRow & { bucket: string | null; team_id: string | null }>(sql`
      select ${bucket} as bucket, r.dimension_id as team_id, r.network, ${sums}
      from daily_rollups r
      where r.org_id = ${scope.orgId} and r.dimension = 'team' and r.dimension_id = any(${textArray(subtree)})
        and ${figureNetwork} and ${inRange}
      group by grouping sets ((${bucket}, r.network), (r.dimension_id, r.network))`),
    // Per member: by network over the range (top advocates, who shared at all) and by bucket
    // (who shared in each), in one pass over the members' rows, the report's largest read.
    db.execute<NetworkRow & { user_id: string; bucket: string | null }>(sql`
      select r.dimension_id as user_id, r.network, ${bucket} as bucket, ${sums}
      from daily_rollups r
      where r.org_id = ${scope.orgId} and r.dimension = 'user' and r.dimension_id = any(${textArray(userIds)})
        and ${figureNetwork} and ${inRange}
      group by grouping sets ((r.dimension_id, r.network), (r.dimension_id, ${bucket}))`),
    // Stories: the share rows of the members' shares; shares only say which story a share is of.
    db.execute<NetworkRow & { story_id: string }>(sql`
      select s.story_id, r.network, ${sums}
      from daily_rollups r
      join shares s on s.id::text = r.dimension_id and s.org_id = ${scope.orgId}
      where r.org_id = ${scope.orgId} and r.dimension = 'share' and s.user_id = any(${textArray(userIds)})
        and ${figureNetwork} and ${inRange}
      group by 1, 2`),
    // Adoption: each member's first day with a share, up to the end of the range.
    db.execute<{ user_id: string; first_day: string | null }>(sql`
      select u.id as user_id, (
        select r.day::text from daily_rollups r
        where r.org_id = ${scope.orgId} and r.dimension = 'user' and r.dimension_id = u.id and r.network = 'all'
          and r.shares > 0 and r.day <= ${to}::date
        order by r.day limit 1) as first_day
      from unnest(${textArray(userIds)}) as u(id)`),
  ]);

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

  // Per member: figures summed over networks; sharers are those with a share in the range.
  const memberFigures = new Map<string, Figures>();
  const sharersByBucket = new Map<string, number>();
  for (const row of userRows) {
    if (row.bucket === null) memberFigures.set(row.user_id, addInto(memberFigures.get(row.user_id) ?? emptyFigures(), figuresOf(row, emvTable)));
    else if (Number(row.shares) > 0) sharersByBucket.set(row.bucket, (sharersByBucket.get(row.bucket) ?? 0) + 1);
  }
  const shared = (userId: string) => (memberFigures.get(userId)?.shares ?? 0) > 0;
  const activeSharers = members.filter((m) => shared(m.userId)).length;

  const subTeams = children.map((child) => {
    const ids = childSubtrees.get(child.id)!;
    const childMembers = membersOf(ids);
    if (childMembers.length < MIN_GROUP_SIZE) return { id: child.id, name: child.name, memberCount: childMembers.length, suppressed: true, figures: null };
    const figures = [...ids].reduce((sum, id) => addInto(sum, teamFigures.get(id) ?? emptyFigures()), emptyFigures());
    const sharers = childMembers.filter((m) => shared(m.userId)).length;
    return {
      id: child.id,
      name: child.name,
      memberCount: childMembers.length,
      suppressed: false,
      figures: { ...rounded(figures), activeSharers: sharers, participation: ratio(sharers, childMembers.length) },
    };
  });

  // Top advocates. People who opted out of the leaderboard are left out: a top-ten list is a
  // ranking, which is what they said no to, and the team's figures need no names. Their
  // activity still counts in every total, sub-team and series above.
  const ranked = members
    .filter((m) => !m.optOut && memberFigures.has(m.userId))
    .map((m) => ({ userId: m.userId, figures: memberFigures.get(m.userId)! }))
    .map((a) => ({ ...a, score: a.figures.engagements + a.figures.clicks + a.figures.shares }))
    .filter((a) => a.score > 0)
    .sort((a, b) => b.score - a.score || b.figures.clicks - a.figures.clicks || (a.userId < b.userId ? -1 : 1))
    .slice(0, TOP_ADVOCATES);

  const storyFigures = new Map<string, Figures>();
  for (const row of storyRows) storyFigures.set(row.story_id, addInto(storyFigures.get(row.story_id) ?? emptyFigures(), figuresOf(row, emvTable)));
  const topStories = [...storyFigures.entries()]
    .filter(([, f]) => f.shares > 0 || f.clicks > 0 || f.impressions > 0 || f.engagements > 0)
    .sort(([a, fa], [b, fb]) => fb.clicks - fa.clicks || fb.shares - fa.shares || (a < b ? -1 : 1))
    .slice(0, TOP_STORIES);

  const [names, titles] = await Promise.all([
    ranked.length ? db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ranked.map((a) => a.userId))) : [],
    topStories.length
      ? db.select({ id: stories.id, title: stories.title }).from(stories).where(and(eq(stories.orgId, scope.orgId), inArray(stories.id, topStories.map(([id]) => id))))
      : [],
  ]);
  const nameOf = new Map(names.map((u) => [u.id, u.name?.trim() || u.email]));
  const titleOf = new Map(titles.map((s) => [s.id, s.title]));

  const firstShare = new Map(firstShares.map((r) => [r.user_id, r.first_day]));

  return {
    ...base,
    suppressed: false,
    totals: { ...rounded(totals), activeSharers, members: members.length, participation: ratio(activeSharers, members.length) },
    series: starts.map((start) => {
      const sharers = sharersByBucket.get(start) ?? 0;
      return { start, ...rounded(seriesFigures.get(start)!), activeSharers: sharers, participation: ratio(sharers, members.length) };
    }),
    subTeams,
    stories: topStories.map(([storyId, figures]) => ({ storyId, title: titleOf.get(storyId) ?? "", figures: rounded(figures) })),
    networks: [...networkFigures.entries()]
      .sort(([a, fa], [b, fb]) => fb.clicks - fa.clicks || fb.shares - fa.shares || networkIds.indexOf(a) - networkIds.indexOf(b))
      .map(([network, figures]) => ({ network, figures: rounded(figures) })),
    topAdvocates: ranked.map((a) => ({ userId: a.userId, name: nameOf.get(a.userId) ?? "", figures: rounded(a.figures) })),
    adoption: adoptionCohorts.map((c) => adoptionRow(c, firstShare, to)),
  };
}

type Cohort = { cohort: string; userIds: string[] };

/** Current members by the month they joined (UTC), oldest first; nobody who joined after the range. */
function cohortsOf(members: Member[], to: string): Cohort[] {
  const byMonth = new Map<string, string[]>();
  for (const m of members) {
    const month = m.joinedAt.toISOString().slice(0, 7);
    if (month > to.slice(0, 7)) continue;
    byMonth.set(month, [...(byMonth.get(month) ?? []), m.userId]);
  }
  return [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cohort, userIds]) => ({ cohort, userIds }));
}

/** For each month since the cohort joined (up to 12, not past the range): the fraction that had shared by its end. */
function adoptionRow(cohort: Cohort, firstShare: Map<string, string | null>, to: string) {
  const size = cohort.userIds.length;
  if (size < MIN_GROUP_SIZE) return { cohort: cohort.cohort, members: size, suppressed: true, activeShare: [] };
  const start = monthIndex(cohort.cohort);
  const months = Math.min(ADOPTION_MONTHS, monthIndex(to.slice(0, 7)) - start + 1);
  const activeShare = Array.from({ length: months }, (_, k) => {
    const end = lastDayOfMonth(start + k);
    const cutoff = end < to ? end : to;
    const shared = cohort.userIds.filter((id) => {
      const first = firstShare.get(id);
      return first != null && first <= cutoff;
    }).length;
    return ratio(shared, size);
  });
  return { cohort: cohort.cohort, members: size, suppressed: false, activeShare };
}
