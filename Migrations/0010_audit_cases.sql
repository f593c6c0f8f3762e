-- Cases join the audit log (the service settings, keyed by tenant and weekday rather than by id,
-- are not audited yet); cases emit webhook events, among them
-- case.breached when the breach monitor (or a write that stops a late clock) flags either target.

SELECT audit_table('cases')
--;;
SELECT emit_events('cases', 'case')
--;;
SELECT register_event_type('case.breached')
--;;
CREATE FUNCTION emit_case_breached() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
BEGIN
    PERFORM emit_event(NEW.tenant_id, 'case.breached', 'case', NEW.id,
                       jsonb_build_object('case', to_jsonb(NEW) - 'tenant_id',
                                          'target', CASE WHEN OLD.first_response_breached_at IS NULL
                                                              AND NEW.first_response_breached_at IS NOT NULL
                                                         THEN 'first_response' ELSE 'resolution' END));
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION emit_case_breached() FROM PUBLIC
--;;
CREATE TRIGGER cases_breached AFTER UPDATE OF first_response_breached_at, resolution_breached_at ON cases
    FOR EACH ROW WHEN (OLD.first_response_breached_at IS NULL AND NEW.first_response_breached_at IS NOT NULL
                       OR OLD.resolution_breached_at IS NULL AND NEW.resolution_breached_at IS NOT NULL)
    EXECUTE FUNCTION emit_case_breached()
