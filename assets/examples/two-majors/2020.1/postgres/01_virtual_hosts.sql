-- Harbor Workspace Manager 2020.1: virtual hosts for Personalization (PostgreSQL).
--
-- Effect on the sample data: one virtual host per Personalization Server, id =
-- server id: 1 'ps01.workspace.example.com', 2 'ps02.workspace.example.com'.

CREATE TABLE virtual_hosts (
    id INTEGER NOT NULL PRIMARY KEY,
    server_id INTEGER NOT NULL,
    host_name TEXT NOT NULL,
    CONSTRAINT virtual_hosts_server FOREIGN KEY (server_id) REFERENCES servers (id),
    CONSTRAINT virtual_hosts_host_name UNIQUE (host_name)
);

INSERT INTO virtual_hosts (id, server_id, host_name)
SELECT id, id, lower(name) || '.workspace.example.com' FROM servers WHERE server_role = 'personalization';
