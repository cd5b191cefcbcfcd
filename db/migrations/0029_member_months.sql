-- The months a team report's adoption counts each member by (their join cohort and the month of
-- their first share, UTC), generated so a report reads them rather than working them out a member
-- at a time (lib/reports/team-report.ts). One statement: one rewrite of the table.
ALTER TABLE "memberships"
  ADD COLUMN "joined_month" date GENERATED ALWAYS AS ((date_trunc('month', coalesce(joined_at, created_at) at time zone 'UTC'))::date) STORED NOT NULL,
  ADD COLUMN "first_shared_month" date GENERATED ALWAYS AS ((date_trunc('month', first_shared_on::timestamp))::date) STORED;
