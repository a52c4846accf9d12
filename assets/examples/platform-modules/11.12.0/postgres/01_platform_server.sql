-- Foundry Platform Server 11.12.0: publish the latest Service Center and System
-- Components, and make room for the modules preparation step (PostgreSQL).
--
-- Effect on the sample data: both system_components rows become '11.12.0';
-- modules gets prepared_for, NULL until the per-item step "Prepare each module for
-- the new Platform Server version" prepares the module. published_for is left
-- alone: the teams publish their applications afterwards, at their own pace.

UPDATE system_components SET version = '11.12.0' WHERE name = 'Service Center';

UPDATE system_components SET version = '11.12.0' WHERE name = 'System Components';

ALTER TABLE modules ADD COLUMN prepared_for TEXT;
