-- Nothing reads raw clicks by link (reports read rollups); the index cost the click ingest
-- about a third of its events insert (docs/design-notes.md, "Performance history").
DROP INDEX IF EXISTS "click_events_link_id_occurred_at_index";
