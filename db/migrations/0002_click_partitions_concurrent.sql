-- Monthly click partitions, made safe to run from several workers at once and able to
-- carry on when clicks already sit in the default partition for a month that has none
-- yet (workers down for months, a restore): such rows are moved into the new partition
-- instead of blocking it, and every later month is still created.
CREATE OR REPLACE FUNCTION ripple_ensure_click_partitions(p_from timestamptz, p_to timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start date := date_trunc('month', p_from AT TIME ZONE 'UTC')::date;
  last_month date := date_trunc('month', p_to AT TIME ZONE 'UTC')::date;
  part_name text;
  lower_bound timestamptz;
  upper_bound timestamptz;
  created integer := 0;
BEGIN
  -- One maintainer at a time; the lock ends with the transaction.
  PERFORM pg_advisory_xact_lock(hashtext('ripple:click-partitions'));
  WHILE month_start <= last_month LOOP
    part_name := format('click_events_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    IF to_regclass(part_name) IS NULL THEN
      lower_bound := month_start::timestamp AT TIME ZONE 'UTC';
      upper_bound := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
      EXECUTE format('CREATE TABLE %I (LIKE click_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM click_events_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
        lower_bound, upper_bound, part_name
      );
      EXECUTE format('ALTER TABLE click_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part_name, lower_bound, upper_bound);
      created := created + 1;
    END IF;
    month_start := (month_start + interval '1 month')::date;
  END LOOP;
  RETURN created;
END;
$$;
