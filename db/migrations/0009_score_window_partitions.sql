-- score_window becomes a table partitioned by RANGE (window_end), one partition per UTC day
-- named score_window_pYYYYMMDD, so that retention drops whole days (a catalog change) instead of
-- deleting rows one by one (dead tuples, vacuum, index bloat), and the board's and timeline's
-- time-bounded reads touch only the days they ask for (docs/storage-partitioning.md).
--
-- Why window_end and not received_at: a redelivered window carries the same window_end as its
-- first copy, so it lands in the same partition and ON CONFLICT still finds it. A primary key of
-- a partitioned table must contain the partition key, hence (device_id, seq, window_end).
--
-- The DEFAULT partition is a safety net: a window whose day has no partition yet (the server was
-- down longer than the days created ahead, or a replay older than the first partition) is stored
-- there, never refused. The retention job's maintenance creates the days ahead and moves rows out
-- of DEFAULT when it creates the partition they belong to.
--
-- drizzle-kit cannot express partitioning; it generated a primary-key swap, replaced here by the
-- conversion below. Runs in the migrator's transaction on PGlite and PostgreSQL, empty or not.
ALTER TABLE "score_window" RENAME TO "score_window_unpartitioned";--> statement-breakpoint
ALTER TABLE "score_window_unpartitioned" RENAME CONSTRAINT "score_window_device_id_seq_pk" TO "score_window_unpartitioned_pk";--> statement-breakpoint
ALTER INDEX "score_window_stay_id_window_end_index" RENAME TO "score_window_unpartitioned_stay_id_window_end_index";--> statement-breakpoint
CREATE TABLE "score_window" (
	"device_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"stay_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"distress" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"drivers" jsonb NOT NULL,
	"face" jsonb,
	"wearable" jsonb,
	"quality" jsonb NOT NULL,
	"models" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("window_end");--> statement-breakpoint
CREATE TABLE "score_window_default" PARTITION OF "score_window" DEFAULT;--> statement-breakpoint
-- One partition for every UTC day that holds rows, and for today and the 7 days ahead (the same
-- horizon the retention job's maintenance keeps). Days are only those with rows, not the range
-- between the oldest and today: a stray row from a wrong device clock years back costs one
-- partition, not thousands. Bounds are written with their UTC offset so the session's TimeZone
-- cannot shift them.
DO $$
DECLARE
  day date;
BEGIN
  FOR day IN
    SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM score_window_unpartitioned
    UNION
    SELECT ((now() AT TIME ZONE 'UTC')::date + ahead) FROM generate_series(0, 7) AS ahead
    ORDER BY 1
  LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF score_window FOR VALUES FROM (%L) TO (%L)',
      'score_window_p' || to_char(day, 'YYYYMMDD'),
      to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00'
    );
  END LOOP;
END
$$;--> statement-breakpoint
INSERT INTO "score_window" ("device_id", "seq", "stay_id", "window_start", "window_end", "distress", "confidence", "drivers", "face", "wearable", "quality", "models", "received_at")
SELECT "device_id", "seq", "stay_id", "window_start", "window_end", "distress", "confidence", "drivers", "face", "wearable", "quality", "models", "received_at"
FROM "score_window_unpartitioned";--> statement-breakpoint
DROP TABLE "score_window_unpartitioned";--> statement-breakpoint
-- Keys and indexes after the copy: building them once is faster than maintaining them row by
-- row. On the partitioned table they are created on every partition, present and future.
ALTER TABLE "score_window" ADD CONSTRAINT "score_window_device_id_seq_window_end_pk" PRIMARY KEY("device_id","seq","window_end");--> statement-breakpoint
CREATE INDEX "score_window_stay_id_window_end_index" ON "score_window" USING btree ("stay_id","window_end");
