CREATE TYPE "public"."link_placement" AS ENUM('card', 'text', 'first_comment');--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "placement" "link_placement" DEFAULT 'card' NOT NULL;