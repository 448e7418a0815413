CREATE TABLE "stay_alert_sensitivity" (
	"stay_id" uuid PRIMARY KEY NOT NULL,
	"sensitivity" text NOT NULL,
	"reason" text NOT NULL,
	"set_by_user_id" uuid NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stay_alert_sensitivity_level" CHECK ("stay_alert_sensitivity"."sensitivity" in ('lower', 'standard', 'higher')),
	CONSTRAINT "stay_alert_sensitivity_expiry" CHECK ("stay_alert_sensitivity"."expires_at" > "stay_alert_sensitivity"."set_at")
);
--> statement-breakpoint
ALTER TABLE "stay_alert_sensitivity" ADD CONSTRAINT "stay_alert_sensitivity_stay_id_stay_id_fk" FOREIGN KEY ("stay_id") REFERENCES "public"."stay"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stay_alert_sensitivity" ADD CONSTRAINT "stay_alert_sensitivity_set_by_user_id_app_user_id_fk" FOREIGN KEY ("set_by_user_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;