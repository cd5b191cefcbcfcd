CREATE TABLE "org_network_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"network" "network" NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_enc" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_network_apps_network" UNIQUE("org_id","network")
);
--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "draft_id" text;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "draft_recreated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "org_network_apps" ADD CONSTRAINT "org_network_apps_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;