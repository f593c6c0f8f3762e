-- Leads from CSV imports. An import writes only the columns its file maps, so a lead's owner comes,
-- as an account's and a contact's do (0012), from the column's default: the acting member of the
-- writing transaction (app.user_id, set by Database.withTenant). Every other writer names the owner;
-- with no member acting, the default is NULL and the insert still fails NOT NULL, as before.
-- imports.object already takes any lower-case name, so 'leads' needs no change there; leads count
-- against no plan quota, so they get no quota trigger.
ALTER TABLE leads ALTER COLUMN owner_id SET DEFAULT nullif(current_setting('app.user_id', true), '')::uuid
