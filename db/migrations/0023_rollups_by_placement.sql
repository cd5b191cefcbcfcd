ALTER TYPE "public"."rollup_dimension" ADD VALUE 'user_placement';--> statement-breakpoint
CREATE TABLE "data_backfills" (
	"name" text PRIMARY KEY NOT NULL,
	"done_at" timestamp with time zone DEFAULT now() NOT NULL
);
