-- Harbor Workspace Manager 2022.1: policy files that carry the Personalization
-- Server URL (PostgreSQL).
--
-- Effect on the sample data: one policy file per Personalization Server, not yet
-- deployed: 1 'Policy for PS01' 'http://ps01:7771/PersonalizationServer', and 2 for
-- PS02. The operator deploys them after the upgrade.

CREATE TABLE policy_files (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    personalization_url TEXT NOT NULL,
    deployed INTEGER NOT NULL DEFAULT 0
);

INSERT INTO policy_files (id, name, personalization_url)
SELECT id, 'Policy for ' || name, 'http://' || lower(name) || ':' || CAST(port AS TEXT) || '/PersonalizationServer' FROM servers WHERE server_role = 'personalization';
