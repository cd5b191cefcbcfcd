ALTER TABLE "memberships" ADD COLUMN "first_shared_on" date;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "shared_months" integer[] DEFAULT '{}' NOT NULL;