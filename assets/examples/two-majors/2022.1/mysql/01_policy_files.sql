-- Harbor Workspace Manager 2022.1: policy files that carry the Personalization
-- Server URL (MySQL, MariaDB).
--
-- Effect on the sample data: one policy file per Personalization Server, not yet
-- deployed: 1 'Policy for PS01' 'http://ps01:7771/PersonalizationServer', and 2 for
-- PS02. The operator deploys them after the upgrade.

CREATE TABLE policy_files (
    id INT NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    personalization_url VARCHAR(255) NOT NULL,
    deployed INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO policy_files (id, name, personalization_url)
SELECT id, CONCAT('Policy for ', name), CONCAT('http://', LOWER(name), ':', port, '/PersonalizationServer') FROM servers WHERE server_role = 'personalization';
