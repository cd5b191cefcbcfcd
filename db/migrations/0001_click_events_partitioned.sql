-- click_events is range-partitioned by month on occurred_at, so a month past the
-- retention period is dropped as a whole rather than deleted row by row. drizzle-kit
-- cannot express partitioning, so the table generated in 0000 (empty at this point) is
-- rebuilt here with the same columns, key and indexes.
DROP TABLE "click_events";
--> statement-breakpoint
CREATE TABLE "click_events" (
	"id" bigserial NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"org_id" uuid NOT NULL,
	"link_id" uuid NOT NULL,
	"visitor_hash" text NOT NULL,
	"is_bot" boolean DEFAULT false NOT NULL,
	"referrer_host" text,
	CONSTRAINT "click_events_occurred_at_id_pk" PRIMARY KEY("occurred_at","id")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "click_events_link_id_occurred_at_index" ON "click_events" USING btree ("link_id","occurred_at");
--> statement-breakpoint
CREATE INDEX "click_events_org_id_occurred_at_index" ON "click_events" USING btree ("org_id","occurred_at");
--> statement-breakpoint
-- A click outside every monthly partition still lands somewhere; maintenance keeps
-- monthly partitions ahead of time so this stays empty.
CREATE TABLE "click_events_default" PARTITION OF "click_events" DEFAULT;
--> statement-breakpoint
-- Creates the monthly partitions click_events_yYYYYmMM covering [p_from, p_to]; idempotent.
CREATE OR REPLACE FUNCTION ripple_ensure_click_partitions(p_from timestamptz, p_to timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start date := date_trunc('month', p_from AT TIME ZONE 'UTC')::date;
  last_month date := date_trunc('month', p_to AT TIME ZONE 'UTC')::date;
  part_name text;
  created integer := 0;
BEGIN
  WHILE month_start <= last_month LOOP
    part_name := format('click_events_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    IF to_regclass(part_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF click_events FOR VALUES FROM (%L) TO (%L)',
        part_name,
        (month_start::timestamp AT TIME ZONE 'UTC'),
        ((month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC')
      );
      created := created + 1;
    END IF;
    month_start := (month_start + interval '1 month')::date;
  END LOOP;
  RETURN created;
END;
$$;
--> statement-breakpoint
SELECT ripple_ensure_click_partitions(now() - interval '1 month', now() + interval '3 months');
