ALTER TABLE "shares" ADD COLUMN "comment_status" text;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "comment_external_id" text;