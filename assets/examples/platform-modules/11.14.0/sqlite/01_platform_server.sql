-- Foundry Platform Server 11.14.0: publish the latest Service Center and System
-- Components (SQLite).
--
-- Effect on the sample data: both system_components rows become '11.14.0'. No
-- schema change: the modules are prepared for 11.14.0 by the per-item step.

UPDATE system_components SET version = '11.14.0' WHERE name = 'Service Center';

UPDATE system_components SET version = '11.14.0' WHERE name = 'System Components';
