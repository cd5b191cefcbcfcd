CREATE TABLE "stored_reports" (
	"org_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"question" text NOT NULL,
	"report" jsonb NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"made_in_ms" integer NOT NULL,
	"read_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stored_reports_org_id_team_id_question_pk" PRIMARY KEY("org_id","team_id","question")
);
--> statement-breakpoint
ALTER TABLE "stored_reports" ADD CONSTRAINT "stored_reports_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stored_reports" ADD CONSTRAINT "stored_reports_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- A stored report (lib/reports/stored.ts) is only as old as the figures allow: a change to who is
-- in a team (a member joining another team, deactivated, erased), to who may be shown among the
-- top advocates, or to the team tree deletes the organisation's stored reports in the same
-- transaction, whichever code makes it. Clicks and shares do not: their figures follow within
-- the minute the workers take to make the reports again.
CREATE FUNCTION ripple_forget_stored_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stored_reports WHERE org_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER memberships_forget_stored_reports
  AFTER UPDATE OF status, team_id, leaderboard_opt_out ON memberships
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.leaderboard_opt_out IS DISTINCT FROM NEW.leaderboard_opt_out)
  EXECUTE FUNCTION ripple_forget_stored_reports();--> statement-breakpoint
CREATE TRIGGER memberships_gone_forget_stored_reports
  AFTER DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION ripple_forget_stored_reports();--> statement-breakpoint
CREATE TRIGGER teams_forget_stored_reports
  AFTER UPDATE OF parent_id, name ON teams
  FOR EACH ROW
  WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION ripple_forget_stored_reports();--> statement-breakpoint
CREATE TRIGGER teams_gone_forget_stored_reports
  AFTER DELETE ON teams
  FOR EACH ROW EXECUTE FUNCTION ripple_forget_stored_reports();
