CREATE TABLE "click_uniques" (
	"day" date NOT NULL,
	"link_id" uuid NOT NULL,
	"visitor_hash" text NOT NULL,
	CONSTRAINT "click_uniques_day_link_id_visitor_hash_pk" PRIMARY KEY("day","link_id","visitor_hash")
);
--> statement-breakpoint
CREATE TABLE "visitor_salts" (
	"day" date PRIMARY KEY NOT NULL,
	"salt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "emv_rate_versions" (
	"org_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"formula" text NOT NULL,
	"rates" jsonb NOT NULL,
	"currency" text DEFAULT 'DKK' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emv_rate_versions_org_id_version_pk" PRIMARY KEY("org_id","version")
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "report_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "click_events" ADD COLUMN "event_key" text;--> statement-breakpoint
ALTER TABLE "click_events" ADD COLUMN "is_unique" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "daily_rollups" ADD COLUMN "estimated_reach" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reach_snapshots" ADD COLUMN "poll" integer;--> statement-breakpoint
ALTER TABLE "reach_snapshots" ADD COLUMN "reached" integer;--> statement-breakpoint
ALTER TABLE "reach_snapshots" ADD COLUMN "saves" integer;--> statement-breakpoint
ALTER TABLE "emv_rate_versions" ADD CONSTRAINT "emv_rate_versions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emv_rate_versions" ADD CONSTRAINT "emv_rate_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "click_events_event_key" ON "click_events" USING btree ("occurred_at","event_key");--> statement-breakpoint
ALTER TABLE "reach_snapshots" ADD CONSTRAINT "reach_snapshots_share_source_poll" UNIQUE NULLS NOT DISTINCT("share_id","source","poll");