CREATE TABLE "stay_bed" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stay_bed_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"stay_id" uuid NOT NULL,
	"bed_id" uuid NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"until_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "consent_text" (
	"hash" text PRIMARY KEY NOT NULL,
	"language" text NOT NULL,
	"version" text NOT NULL,
	"body" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tablet_pairing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" text NOT NULL,
	"bed_id" uuid NOT NULL,
	"stay_id" uuid NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tablet_session" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"stay_id" uuid NOT NULL,
	"pairing_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stay" ADD COLUMN "data_erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stay_bed" ADD CONSTRAINT "stay_bed_stay_id_stay_id_fk" FOREIGN KEY ("stay_id") REFERENCES "public"."stay"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stay_bed" ADD CONSTRAINT "stay_bed_bed_id_bed_id_fk" FOREIGN KEY ("bed_id") REFERENCES "public"."bed"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tablet_pairing" ADD CONSTRAINT "tablet_pairing_bed_id_bed_id_fk" FOREIGN KEY ("bed_id") REFERENCES "public"."bed"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tablet_pairing" ADD CONSTRAINT "tablet_pairing_stay_id_stay_id_fk" FOREIGN KEY ("stay_id") REFERENCES "public"."stay"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tablet_pairing" ADD CONSTRAINT "tablet_pairing_created_by_user_id_app_user_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tablet_session" ADD CONSTRAINT "tablet_session_stay_id_stay_id_fk" FOREIGN KEY ("stay_id") REFERENCES "public"."stay"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tablet_session" ADD CONSTRAINT "tablet_session_pairing_id_tablet_pairing_id_fk" FOREIGN KEY ("pairing_id") REFERENCES "public"."tablet_pairing"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stay_bed_bed_id_from_at_index" ON "stay_bed" USING btree ("bed_id","from_at");--> statement-breakpoint
CREATE INDEX "stay_bed_stay_id_index" ON "stay_bed" USING btree ("stay_id");--> statement-breakpoint
CREATE INDEX "tablet_pairing_code_hash_index" ON "tablet_pairing" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "tablet_pairing_bed_id_index" ON "tablet_pairing" USING btree ("bed_id");--> statement-breakpoint
CREATE INDEX "tablet_session_stay_id_index" ON "tablet_session" USING btree ("stay_id");--> statement-breakpoint
-- Existing stays get their bed history: one assignment from admission to discharge (or still open).
INSERT INTO "stay_bed" ("stay_id", "bed_id", "from_at", "until_at") SELECT "id", "bed_id", "admitted_at", "discharged_at" FROM "stay";
