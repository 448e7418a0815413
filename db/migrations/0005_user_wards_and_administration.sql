CREATE TABLE "user_ward" (
	"user_id" uuid NOT NULL,
	"ward_id" uuid NOT NULL,
	CONSTRAINT "user_ward_user_id_ward_id_pk" PRIMARY KEY("user_id","ward_id")
);
--> statement-breakpoint
ALTER TABLE "app_user" ALTER COLUMN "password_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "oidc_issuer" text;--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "oidc_subject" text;--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "last_sign_in_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_ward" ADD CONSTRAINT "user_ward_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_ward" ADD CONSTRAINT "user_ward_ward_id_ward_id_fk" FOREIGN KEY ("ward_id") REFERENCES "public"."ward"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_ward_ward_id_index" ON "user_ward" USING btree ("ward_id");--> statement-breakpoint
CREATE UNIQUE INDEX "app_user_oidc_identity" ON "app_user" USING btree ("oidc_issuer","oidc_subject");--> statement-breakpoint
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_role" CHECK ("app_user"."role" in ('nurse', 'charge_nurse', 'it_admin'));--> statement-breakpoint
-- Until this version every nurse and charge nurse saw every ward: keep that for existing users so an
-- upgrade does not blank their boards; an administrator narrows it on the users page.
INSERT INTO "user_ward" ("user_id", "ward_id")
  SELECT u."id", w."id" FROM "app_user" u CROSS JOIN "ward" w WHERE u."role" in ('nurse', 'charge_nurse');
