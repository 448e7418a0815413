-- The consent ledger is append-only: the database itself refuses UPDATE and DELETE, so no
-- application bug can rewrite history. (A superuser can still disable the trigger; the hash
-- chain makes that detectable.)
CREATE FUNCTION consent_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER consent_event_append_only
  BEFORE UPDATE OR DELETE ON consent_event
  FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_change();
--> statement-breakpoint
CREATE TRIGGER consent_event_no_truncate
  BEFORE TRUNCATE ON consent_event
  FOR EACH STATEMENT EXECUTE FUNCTION consent_event_refuse_change();
