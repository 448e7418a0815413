ALTER TABLE "device" ADD COLUMN "clock_offset_ms" bigint;--> statement-breakpoint
-- Protocol v2 carries drivers and the PAINAD face basis as codes. Windows stored under v1 held
-- them as English text, which cannot be turned back into numbers: their drivers are dropped
-- (the scores and every measured value stay) and their face basis becomes the matching code.
UPDATE "score_window" SET "drivers" = '[]'::jsonb WHERE jsonb_typeof("drivers" -> 0) = 'string';
--> statement-breakpoint
UPDATE "score_window" SET "face" = jsonb_set("face", '{painadFaceBasis}', jsonb_build_object('code',
  CASE
    WHEN "face" ->> 'painadFaceBasis' LIKE 'no camera frames%' THEN 'no_frames'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'face not seen%' THEN 'face_not_seen'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'grimacing%' THEN 'grimacing'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'frowning%' THEN 'frowning'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'looks %' THEN 'looks_upset'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'inexpressive; face not frontal%' THEN 'inexpressive_not_frontal'
    WHEN "face" ->> 'painadFaceBasis' LIKE 'inexpressive%' THEN 'inexpressive_learning_baseline'
    ELSE 'relaxed'
  END))
WHERE jsonb_typeof("face" -> 'painadFaceBasis') = 'string';
