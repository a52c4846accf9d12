-- Foundry Platform Server 11.14.0, per-item step: prepare one module for Platform
-- Server 11.14.0 (PostgreSQL).
--
-- upwiz runs this once for every module the step's query selects (those not yet
-- prepared for 11.14.0), each in its own transaction, with the id placeholder bound
-- to the module's id. Effect: modules.prepared_for becomes '11.14.0'. Running it
-- again changes nothing.

UPDATE modules SET prepared_for = '11.14.0' WHERE id = {{id}};
