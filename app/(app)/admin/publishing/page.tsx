import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { linkedinVersionAge } from "@/lib/networks/linkedin-version";
import { isAvailable } from "@/lib/networks/registry";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";
import { isOperator } from "@/lib/ops/operators";
import { readPublishingHealth, readPublishQueues, type AttentionItem, type FailureGroup, type Lateness, type NetworkCounts } from "@/lib/ops/publishing-health";
import { publishQueueFor, redis } from "@/lib/queue";
import { DataTable } from "../../../_components/data-table";
import { buttonClass, EmptyState, PageHeader, Section } from "../../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("publishingHealth"))("title") };
}

/** bull-board's page of one queue: not a page of this app, so a plain link (see LinkItem.document). */
const dashboardQueue = (network: ConnectableNetwork) => `/admin/queues/queue/${publishQueueFor(network)}`;

/**
 * Publishing health in Ripple's own words, for the organisation's admins: its shares only.
 * Operators also see the publish queues (every organisation) and the way to the queue dashboard.
 */
export default async function PublishingHealthPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("publishingHealth");
  const tg = await getTranslations("glossary");
  const tn = await getTranslations("networks");
  const format = await getFormatter();
  const operator = await isOperator(ctx.db, ctx.userId);
  const [health, queues] = await Promise.all([readPublishingHealth(ctx.db, ctx.scope), operator ? readPublishQueues(redis()) : null]);
  const editor = ctx.roles.includes("editor");
  // Operators always see the version in use; admins once it needs changing. Only where this
  // server posts to LinkedIn at all.
  const version = linkedinVersionAge();
  const showVersion = isAvailable("linkedin") && (operator || version.warning);
  const n = (value: number) => format.number(value);
  const when = (date: Date) => (
    <time dateTime={date.toISOString()} title={format.dateTime(date, { dateStyle: "medium", timeStyle: "short" })}>
      {format.relativeTime(date, health.checkedAt)}
    </time>
  );

  /** A span of seconds in the largest unit that keeps it readable. */
  const duration = (seconds: number) => {
    const one = (value: number) => format.number(value, { maximumFractionDigits: value < 10 ? 1 : 0 });
    if (seconds < 90) return t("duration.seconds", { n: one(seconds) });
    if (seconds < 90 * 60) return t("duration.minutes", { n: one(seconds / 60) });
    if (seconds < 48 * 3600) return t("duration.hours", { n: one(seconds / 3600) });
    return t("duration.days", { n: one(seconds / 86400) });
  };
  const late = (value: number | null) => (value === null ? "—" : duration(value));
  const reasonText = (reason: FailureGroup["reason"] | AttentionItem["reason"], codes: string[] = []) => t(`reasons.${reason}`, { codes: codes.join(", "), late: "" });

  const countRows: Array<Omit<NetworkCounts, "network"> & { network: ConnectableNetwork | "all" }> = [...health.networks, { network: "all", ...health.totals }];
  const latenessRows = connectableNetworks.map((network) => ({ network, ...(health.lateness.byNetwork[network] ?? { samples: 0, medianSeconds: null, p95Seconds: null }) }));

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          operator ? (
            <a href="/admin/queues" className={buttonClass("secondary", "inline-flex items-center rounded-md px-3 py-2 text-sm font-medium")}>
              {t("openDashboard")}
            </a>
          ) : undefined
        }
      />
      <p className="-mt-4 mb-6 text-sm text-slate-700">{t("checkedAt", { time: format.dateTime(health.checkedAt, { dateStyle: "medium", timeStyle: "medium" }) })}</p>

      <div className="space-y-8">
        {showVersion ? (
          <Section id="linkedin-version" title={t("linkedinVersion.title")}>
            <div role="status" data-testid="linkedin-version" className={version.warning ? "rounded-md bg-amber-50 p-3 text-sm text-amber-900" : "text-sm text-slate-800"}>
              <p>{t("linkedinVersion.current", { version: version.version, months: version.ageMonths })}</p>
              <p className="mt-1">
                {version.warning ? t(operator ? "linkedinVersion.warning" : "linkedinVersion.warningAdmin", { suggested: version.suggested }) : t("linkedinVersion.ok")}
              </p>
            </div>
          </Section>
        ) : null}

        <Section id="by-network" title={t("networks.title")} description={t("networks.description")}>
          <DataTable
            caption={t("networks.title")}
            rows={countRows}
            rowKey={(row) => row.network}
            rowProps={(row) => (row.network === "all" ? { className: "bg-slate-50 font-semibold" } : {})}
            columns={[
              { key: "network", header: t("networks.network"), rowHeader: true, className: "whitespace-nowrap", cell: (row) => (row.network === "all" ? t("networks.all") : tn(row.network)) },
              { key: "scheduled", header: t("networks.scheduled"), numeric: true, cell: (row) => n(row.scheduled) },
              { key: "publishing", header: t("networks.publishing"), numeric: true, cell: (row) => n(row.publishing) },
              { key: "day", header: t("networks.publishedDay"), numeric: true, cell: (row) => n(row.publishedLastDay) },
              { key: "week", header: t("networks.publishedWeek"), numeric: true, cell: (row) => n(row.publishedLastWeek) },
              { key: "failed", header: t("networks.failedWeek"), numeric: true, cell: (row) => n(row.failedLastWeek) },
              { key: "attention", header: t("networks.needsAttention"), numeric: true, cell: (row) => n(row.needsAttention) },
            ]}
          />
        </Section>

        <Section id="lateness" title={t("lateness.title")} description={t("lateness.description")}>
          <dl className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-3">
            <LatenessFigure label={t("lateness.median")} value={late(health.lateness.medianSeconds)} note={samplesNote(health.lateness, t)} />
            <LatenessFigure label={t("lateness.p95")} value={late(health.lateness.p95Seconds)} note={samplesNote(health.lateness, t)} />
            <LatenessFigure
              label={t("lateness.oldest")}
              value={health.oldestWaiting ? duration(health.oldestWaiting.lateSeconds) : t("lateness.none")}
              note={
                health.oldestWaiting
                  ? t("lateness.oldestNote", {
                      network: tn(health.oldestWaiting.network),
                      story: health.oldestWaiting.storyTitle,
                      time: format.dateTime(health.oldestWaiting.scheduledAt, { dateStyle: "short", timeStyle: "short" }),
                    })
                  : undefined
              }
            />
          </dl>
          <DataTable
            caption={t("lateness.tableCaption")}
            rows={latenessRows}
            rowKey={(row) => row.network}
            columns={[
              { key: "network", header: t("lateness.network"), rowHeader: true, cell: (row) => tn(row.network) },
              { key: "count", header: tg("shares"), numeric: true, cell: (row) => n(row.samples) },
              { key: "median", header: t("lateness.median"), numeric: true, cell: (row) => late(row.medianSeconds) },
              { key: "p95", header: t("lateness.p95"), numeric: true, cell: (row) => late(row.p95Seconds) },
            ]}
          />
        </Section>

        <Section id="failures" title={t("failures.title")} description={t("failures.description")}>
          <DataTable
            caption={t("failures.title")}
            rows={health.failures}
            rowKey={(row) => row.reason}
            empty={<EmptyState title={t("failures.empty")} />}
            columns={[
              { key: "reason", header: t("failures.reason"), rowHeader: true, className: "min-w-48 font-normal text-slate-900", cell: (row) => reasonText(row.reason, row.codes) },
              { key: "count", header: tg("shares"), numeric: true, cell: (row) => n(row.count) },
              {
                key: "networks",
                header: t("failures.networks"),
                className: "whitespace-nowrap",
                cell: (row) =>
                  connectableNetworks
                    .filter((network) => row.byNetwork[network])
                    .map((network) => `${tn(network)} ${n(row.byNetwork[network]!)}`)
                    .join(" · "),
              },
              { key: "last", header: t("failures.last"), className: "whitespace-nowrap", cell: (row) => when(row.lastAt) },
            ]}
          />
        </Section>

        <Section id="attention" title={t("attention.title")} description={t("attention.description")}>
          <DataTable
            caption={t("attention.title")}
            rows={health.attention}
            rowKey={(row) => row.shareId}
            empty={<EmptyState title={t("attention.empty")} />}
            columns={[
              { key: "who", header: t("attention.who"), rowHeader: true, className: "whitespace-nowrap font-normal text-slate-900", cell: (row) => row.userName ?? row.userEmail ?? t("attention.someone") },
              {
                key: "story",
                header: t("attention.story"),
                className: "min-w-40",
                cell: (row) =>
                  editor ? (
                    <Link href={`/library/${row.storyId}`} className="text-brand-700 underline">
                      {row.storyTitle}
                    </Link>
                  ) : (
                    row.storyTitle
                  ),
              },
              { key: "network", header: t("attention.network"), cell: (row) => tn(row.network) },
              { key: "since", header: t("attention.since"), className: "whitespace-nowrap", cell: (row) => when(row.since) },
              {
                key: "reason",
                header: t("attention.reason"),
                className: "min-w-48",
                cell: (row) =>
                  row.reason === "overdue" ? t("reasons.overdue", { late: duration((health.checkedAt.getTime() - row.since.getTime()) / 1000) }) : reasonText(row.reason),
              },
              { key: "todo", header: t("attention.todo"), className: "min-w-56", cell: (row) => <WhatToDo row={row} operator={operator} /> },
            ]}
          />
          {health.attentionTotal > health.attention.length ? (
            <p className="mt-2 text-sm text-slate-700">{t("attention.more", { shown: health.attention.length, total: health.attentionTotal })}</p>
          ) : null}
        </Section>

        {queues ? (
          <Section id="queues" title={t("queues.title")} description={t("queues.description")}>
            <p role="status" className={queues.workersOk ? "mb-3 text-sm text-slate-800" : "mb-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900"}>
              {queues.workersAgeSeconds === null
                ? t("queues.workersNone")
                : queues.workersOk
                  ? t("queues.workersOk", { seconds: queues.workersAgeSeconds })
                  : t("queues.workersStale", { seconds: queues.workersAgeSeconds })}
            </p>
            {queues.queues ? (
              <DataTable
                caption={t("queues.title")}
                rows={queues.queues}
                rowKey={(row) => row.network}
                columns={[
                  {
                    key: "queue",
                    header: t("queues.queue"),
                    rowHeader: true,
                    className: "whitespace-nowrap font-normal",
                    cell: (row) => (
                      <a href={dashboardQueue(row.network)} className="text-brand-700 underline">
                        {publishQueueFor(row.network)}
                      </a>
                    ),
                  },
                  { key: "waiting", header: t("queues.waiting"), numeric: true, cell: (row) => n(row.waiting) },
                  { key: "delayed", header: t("queues.delayed"), numeric: true, cell: (row) => n(row.delayed) },
                  { key: "active", header: t("queues.active"), numeric: true, cell: (row) => n(row.active) },
                  { key: "failed", header: t("queues.failed"), numeric: true, cell: (row) => n(row.failed) },
                ]}
              />
            ) : (
              <p role="alert" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
                {t("queues.unavailable")}
              </p>
            )}
          </Section>
        ) : null}
      </div>
    </>
  );
}

function samplesNote(lateness: Lateness, t: Awaited<ReturnType<typeof getTranslations<"publishingHealth">>>) {
  return lateness.samples === 0 ? t("lateness.noSamples") : t("lateness.samples", { count: lateness.samples });
}

function LatenessFigure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm font-medium text-slate-800">{label}</dt>
      <dd className="mt-1">
        <span className="block text-2xl font-semibold tabular-nums text-slate-900">{value}</span>
        {note ? <span className="mt-1 block break-words text-xs text-slate-700">{note}</span> : null}
      </dd>
    </div>
  );
}

/** What the admin (or operator) can do about one share that needs attention. */
async function WhatToDo({ row, operator }: { row: AttentionItem; operator: boolean }) {
  const t = await getTranslations("publishingHealth");
  const tn = await getTranslations("networks");
  const name = row.userName ?? row.userEmail ?? t("attention.someone");
  if (row.kind === "overdue") {
    return operator ? (
      <>
        <p>{t("attention.overdueOperator", { network: tn(row.network) })}</p>
        <a href={dashboardQueue(row.network)} className="text-brand-700 underline">
          {t("attention.openQueue", { network: tn(row.network) })}
        </a>
      </>
    ) : (
      <p>{t("attention.overdueAdmin")}</p>
    );
  }
  return (
    <>
      <p>{t("attention.checkNetwork", { name })}</p>
      {row.userEmail ? (
        <a href={`mailto:${row.userEmail}`} className="text-brand-700 underline">
          {t("attention.emailPerson", { name })}
        </a>
      ) : null}
    </>
  );
}
