-- firing_since is added nullable, filled, then made NOT NULL: existing alerts began firing when they
-- opened or, when they fired again later, at their last reactivation.
ALTER TABLE "alert" ADD COLUMN "firing_since" timestamp with time zone;--> statement-breakpoint
UPDATE "alert" a SET "firing_since" = greatest(a."opened_at", coalesce(
  (SELECT max(e."at") FROM "alert_event" e WHERE e."alert_id" = a."id" AND e."type" = 'reactivated'), a."opened_at"));--> statement-breakpoint
ALTER TABLE "alert" ALTER COLUMN "firing_since" SET NOT NULL;--> statement-breakpoint
-- The server always writes firing_since; any other writer (an import, a test's fixture) that leaves it
-- out gets the opening time, the meaning it has until the alert fires again after an acknowledgement.
CREATE FUNCTION alert_firing_since_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.firing_since := coalesce(NEW.firing_since, NEW.opened_at);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER alert_firing_since_default
  BEFORE INSERT ON "alert"
  FOR EACH ROW EXECUTE FUNCTION alert_firing_since_default();
--> statement-breakpoint
ALTER TABLE "alert" ADD COLUMN "escalation_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert" ADD CONSTRAINT "alert_escalation_level" CHECK ("alert"."escalation_level" >= 0);
