-- Unique visitors are the new rows of click_uniques, counted a link and day by the click
-- ingest (lib/links/ingest.ts); no event needs to say it was its visitor's first, and matching
-- each new row back to its event was a third of the batch statement (docs/design-notes.md,
-- "Performance history").
ALTER TABLE "click_events" DROP COLUMN "is_unique";
