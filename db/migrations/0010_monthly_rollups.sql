ALTER TYPE "public"."rollup_dimension" ADD VALUE 'team_story';--> statement-breakpoint
CREATE TABLE "monthly_rollups" (
	"org_id" uuid NOT NULL,
	"dimension" "rollup_dimension" NOT NULL,
	"dimension_id" text NOT NULL,
	"network" text DEFAULT 'all' NOT NULL,
	"month" date NOT NULL,
	"shares" bigint DEFAULT 0 NOT NULL,
	"clicks" bigint DEFAULT 0 NOT NULL,
	"unique_visitors" bigint DEFAULT 0 NOT NULL,
	"bot_clicks" bigint DEFAULT 0 NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"engagements" bigint DEFAULT 0 NOT NULL,
	"estimated_reach" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "monthly_rollups_org_id_dimension_dimension_id_network_month_pk" PRIMARY KEY("org_id","dimension","dimension_id","network","month")
);
--> statement-breakpoint
ALTER TABLE "monthly_rollups" ADD CONSTRAINT "monthly_rollups_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monthly_rollups_covering" ON "monthly_rollups" USING btree ("org_id","dimension","dimension_id","month") INCLUDE ("network","shares","clicks","unique_visitors","bot_clicks","impressions","engagements","estimated_reach");--> statement-breakpoint
CREATE INDEX "daily_rollups_covering" ON "daily_rollups" USING btree ("org_id","dimension","dimension_id","day") INCLUDE ("network","shares","clicks","unique_visitors","bot_clicks","impressions","engagements","estimated_reach") WITH (fillfactor=90);--> statement-breakpoint
CREATE INDEX "daily_rollups_share_days" ON "daily_rollups" USING btree ("org_id","dimension_id","day") WHERE "daily_rollups"."dimension" = 'user' and "daily_rollups"."network" = 'all' and "daily_rollups"."shares" > 0;