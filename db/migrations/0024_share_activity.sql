ALTER TYPE "public"."rollup_dimension" ADD VALUE 'team_placement';--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "first_shared_on" date;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "shared_months" bigint[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
CREATE INDEX "monthly_rollups_totals" ON "monthly_rollups" USING btree ("org_id","dimension","dimension_id","month") INCLUDE ("network","shares","clicks","unique_visitors","bot_clicks","impressions","engagements","estimated_reach") WHERE "monthly_rollups"."network" = 'all';