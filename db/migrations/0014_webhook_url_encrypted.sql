ALTER TABLE "webhooks" RENAME COLUMN "url" TO "url_enc";--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "url_hint" text;