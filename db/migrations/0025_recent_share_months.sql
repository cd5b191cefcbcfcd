-- A member's recent months of shared_months as bits (db/share-activity.ts): for the latest month
-- they shared in and the 62 before it, bit i is month latest - 62 + i, set when they shared in it
-- with activity bit `flag` (0: at all; 10, 20, 30: with a link card, in the text, in a first comment).
-- Each element of shared_months is its month times 2^40 plus a mask; they are ascending.
CREATE OR REPLACE FUNCTION ripple_recent_months(months bigint[], flag integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
  SELECT coalesce(bit_or(1::bigint << ((e >> 40) - (months[cardinality(months)] >> 40) + 62)::int), 0)
  FROM unnest(months) e
  WHERE (e >> flag) & 1 = 1 AND (e >> 40) > (months[cardinality(months)] >> 40) - 63
);--> statement-breakpoint
-- One statement: one rewrite of the table.
ALTER TABLE "memberships"
  ADD COLUMN "last_shared_month" integer GENERATED ALWAYS AS ((shared_months[cardinality(shared_months)] >> 40)::int) STORED,
  ADD COLUMN "months_shared" bigint GENERATED ALWAYS AS (ripple_recent_months(shared_months, 0)) STORED NOT NULL,
  ADD COLUMN "months_card" bigint GENERATED ALWAYS AS (ripple_recent_months(shared_months, 10)) STORED NOT NULL,
  ADD COLUMN "months_text" bigint GENERATED ALWAYS AS (ripple_recent_months(shared_months, 20)) STORED NOT NULL,
  ADD COLUMN "months_first_comment" bigint GENERATED ALWAYS AS (ripple_recent_months(shared_months, 30)) STORED NOT NULL;
