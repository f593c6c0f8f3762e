-- The sales tables join the audit log and the webhook events: leads, deals and activities emit
-- created / updated / deleted; a deal moving stage emits deal.stage_changed and a lead's
-- conversion lead.converted. The histories (deal_stage_changes) and the link table deal_contacts
-- are records of changes themselves, or rows without an id, and are not audited.

SELECT audit_table('leads')
--;;
SELECT audit_table('pipelines')
--;;
SELECT audit_table('pipeline_stages')
--;;
SELECT audit_table('deals')
--;;
SELECT audit_table('activities')
--;;
SELECT emit_events('leads', 'lead')
--;;
SELECT emit_events('deals', 'deal')
--;;
SELECT emit_events('activities', 'activity')
--;;
SELECT register_event_type('deal.stage_changed')
--;;
CREATE FUNCTION emit_deal_stage_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
BEGIN
    PERFORM emit_event(NEW.tenant_id, 'deal.stage_changed', 'deal', NEW.id,
                       jsonb_build_object('deal', to_jsonb(NEW) - 'tenant_id',
                                          'from_stage_id', OLD.stage_id, 'to_stage_id', NEW.stage_id));
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION emit_deal_stage_changed() FROM PUBLIC
--;;
CREATE TRIGGER deals_stage_changed AFTER UPDATE OF stage_id ON deals
    FOR EACH ROW WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id) EXECUTE FUNCTION emit_deal_stage_changed()
--;;
SELECT register_event_type('lead.converted')
--;;
CREATE FUNCTION emit_lead_converted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' AS $$
BEGIN
    PERFORM emit_event(NEW.tenant_id, 'lead.converted', 'lead', NEW.id, to_jsonb(NEW) - 'tenant_id');
    RETURN NULL;
END $$
--;;
REVOKE EXECUTE ON FUNCTION emit_lead_converted() FROM PUBLIC
--;;
CREATE TRIGGER leads_converted AFTER UPDATE OF converted_at ON leads
    FOR EACH ROW WHEN (OLD.converted_at IS NULL AND NEW.converted_at IS NOT NULL) EXECUTE FUNCTION emit_lead_converted()
