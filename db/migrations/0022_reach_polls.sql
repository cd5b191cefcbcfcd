CREATE TABLE "reach_polls" (
	"share_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"poll" smallint NOT NULL,
	"due_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reach_polls" ADD CONSTRAINT "reach_polls_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reach_polls" ADD CONSTRAINT "reach_polls_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reach_polls_due" ON "reach_polls" USING btree ("due_at");--> statement-breakpoint
-- Shares published in the last 30 days get their next poll (the first still ahead), which
-- until now waited as a delayed job in Redis; those jobs still run, and each poll moves its
-- row on only from the poll it ran (lib/reach/schedule.ts), so the two never poll twice.
INSERT INTO "reach_polls" ("share_id", "org_id", "poll", "due_at")
SELECT s."id", s."org_id", next."poll", s."published_at" + next."after"
FROM "shares" s
CROSS JOIN LATERAL (
  SELECT (o."n" - 1)::smallint AS "poll", o."after"
  FROM unnest(ARRAY[interval '1 hour', interval '6 hours', interval '1 day', interval '3 days', interval '7 days', interval '30 days']) WITH ORDINALITY AS o("after", "n")
  WHERE s."published_at" + o."after" > now()
  ORDER BY o."n"
  LIMIT 1
) next
WHERE s."status" = 'published' AND s."mode" = 'api' AND s."external_id" IS NOT NULL AND s."published_at" > now() - interval '30 days'
ON CONFLICT DO NOTHING;
