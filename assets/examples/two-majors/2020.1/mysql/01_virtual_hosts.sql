-- Harbor Workspace Manager 2020.1: virtual hosts for Personalization (MySQL, MariaDB).
--
-- Effect on the sample data: one virtual host per Personalization Server, id =
-- server id: 1 'ps01.workspace.example.com', 2 'ps02.workspace.example.com'.

CREATE TABLE virtual_hosts (
    id INT NOT NULL PRIMARY KEY,
    server_id INT NOT NULL,
    host_name VARCHAR(255) NOT NULL,
    CONSTRAINT virtual_hosts_server FOREIGN KEY (server_id) REFERENCES servers (id),
    CONSTRAINT virtual_hosts_host_name UNIQUE (host_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO virtual_hosts (id, server_id, host_name)
SELECT id, id, CONCAT(LOWER(name), '.workspace.example.com') FROM servers WHERE server_role = 'personalization';
