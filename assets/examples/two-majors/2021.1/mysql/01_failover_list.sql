-- Harbor Workspace Manager 2021.1: the Management Server failover list (MySQL, MariaDB).
--
-- Effect on the sample data: servers gets failover_order; the Management Server
-- MS01 (id 3) is first (3), the Personalization Servers have none (NULL).

ALTER TABLE servers ADD COLUMN failover_order INT;

UPDATE servers SET failover_order = id WHERE server_role = 'management';
