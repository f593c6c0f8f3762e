-- Activities attach to service cases too: a call with the customer about a case, a note on it,
-- a follow-up task. An activity left attached to nothing is still deleted.

ALTER TABLE activities ADD COLUMN case_id uuid
--;;
ALTER TABLE activities ADD FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE SET NULL (case_id)
--;;
CREATE INDEX activities_case_idx ON activities (tenant_id, case_id) WHERE case_id IS NOT NULL
--;;
DROP TRIGGER activities_unattached ON activities
--;;
CREATE TRIGGER activities_unattached AFTER UPDATE OF account_id, contact_id, lead_id, deal_id, case_id ON activities
FOR EACH ROW WHEN (num_nonnulls(NEW.account_id, NEW.contact_id, NEW.lead_id, NEW.deal_id, NEW.case_id) = 0)
EXECUTE FUNCTION delete_unattached_activity()
