-- Foundry Platform Server, per-item step: prepare one module for the Platform
-- Server version the database is at (SQLite).
--
-- upwiz runs this once for every module the step's query selects (those not yet
-- prepared for the installed version), each in its own transaction, with the id
-- placeholder bound to the module's id. Effect: modules.prepared_for becomes the
-- installed version ('11.14.0'). Running it again changes nothing.

UPDATE modules
SET prepared_for = (SELECT version FROM fp_version)
WHERE id = {{id}};
