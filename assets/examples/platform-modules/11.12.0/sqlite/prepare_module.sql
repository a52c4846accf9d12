-- Foundry Platform Server 11.12.0, per-item step: prepare one module for Platform
-- Server 11.12.0 (SQLite).
--
-- upwiz runs this once for every module the step's query selects (those not yet
-- prepared for 11.12.0), each in its own transaction, with the id placeholder bound
-- to the module's id. Effect: modules.prepared_for becomes '11.12.0'. Running it
-- again changes nothing.

UPDATE modules SET prepared_for = '11.12.0' WHERE id = {{id}};
