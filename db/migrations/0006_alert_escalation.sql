-- firing_since is added nullable, filled, then made NOT NULL: existing alerts began firing when they
-- opened or, when they fired again later, at their last reactivation.
ALTER TABLE "alert" ADD COLUMN "firing_since" timestamp with time zone;--> statement-breakpoint
UPDATE "alert" a SET "firing_since" = greatest(a."opened_at", coalesce(
  (SELECT max(e."at") FROM "alert_event" e WHERE e."alert_id" = a."id" AND e."type" = 'reactivated'), a."opened_at"));--> statement-breakpoint
ALTER TABLE "alert" ALTER COLUMN "firing_since" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "alert" ADD COLUMN "escalation_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert" ADD CONSTRAINT "alert_escalation_level" CHECK ("alert"."escalation_level" >= 0);
