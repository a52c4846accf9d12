-- Harbor Workspace Manager 2022.1: schema and sample data (SQLite).
--
-- Installs a fresh 2022.1 database (upwiz install, or --version 2022.1). Its schema
-- is exactly what the upgrade 2019.1 -> 2021.1 -> 2022.1 leaves (added columns
-- last), and so are its rows.

CREATE TABLE hw_version (
    version TEXT NOT NULL
);

CREATE TABLE servers (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    server_role TEXT NOT NULL,
    port INTEGER NOT NULL,
    failover_order INTEGER,
    CONSTRAINT servers_name UNIQUE (name),
    CONSTRAINT servers_known_role CHECK (server_role IN ('personalization', 'management'))
);

CREATE TABLE replication_partners (
    server_id INTEGER NOT NULL PRIMARY KEY,
    partner TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT replication_partners_server FOREIGN KEY (server_id) REFERENCES servers (id)
);

CREATE TABLE personalization_groups (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    priority INTEGER NOT NULL,
    CONSTRAINT personalization_groups_name UNIQUE (name)
);

CREATE TABLE user_settings (
    id INTEGER NOT NULL PRIMARY KEY,
    group_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    application TEXT NOT NULL,
    setting_value TEXT,
    CONSTRAINT user_settings_group FOREIGN KEY (group_id) REFERENCES personalization_groups (id)
);

CREATE INDEX user_settings_username ON user_settings (username);

CREATE TABLE virtual_hosts (
    id INTEGER NOT NULL PRIMARY KEY,
    server_id INTEGER NOT NULL,
    host_name TEXT NOT NULL,
    CONSTRAINT virtual_hosts_server FOREIGN KEY (server_id) REFERENCES servers (id),
    CONSTRAINT virtual_hosts_host_name UNIQUE (host_name)
);

CREATE TABLE policy_files (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    personalization_url TEXT NOT NULL,
    deployed INTEGER NOT NULL DEFAULT 0
);

INSERT INTO servers (id, name, server_role, port) VALUES
    (1, 'PS01', 'personalization', 7771),
    (2, 'PS02', 'personalization', 7771),
    (3, 'MS01', 'management', 7751);

INSERT INTO replication_partners (server_id, partner, enabled) VALUES
    (1, 'PS02', 0),
    (2, 'PS01', 0);

INSERT INTO personalization_groups (id, name, priority) VALUES
    (1, 'Finance', 10),
    (2, 'Engineering', 20),
    (3, 'Call Centre', 30),
    (4, 'Default Users', 100);

INSERT INTO user_settings (id, group_id, username, application, setting_value)
SELECT u.n * 10 + a.n, 1 + (u.n % 4), u.login, a.app, a.setting
FROM (SELECT 1 AS n, 'amartin' AS login UNION ALL SELECT 2, 'bchen' UNION ALL SELECT 3, 'cdiaz'
      UNION ALL SELECT 4, 'dokafor' UNION ALL SELECT 5, 'eweber' UNION ALL SELECT 6, 'fsato'
      UNION ALL SELECT 7, 'gnovak' UNION ALL SELECT 8, 'hsingh' UNION ALL SELECT 9, 'ilarsen'
      UNION ALL SELECT 10, 'jmoreau' UNION ALL SELECT 11, 'kpetrov' UNION ALL SELECT 12, 'lrossi') u
CROSS JOIN (SELECT 1 AS n, 'Outlook' AS app, 'signature=on' AS setting UNION ALL SELECT 2, 'Excel', 'recent=20'
            UNION ALL SELECT 3, 'Teams', 'theme=dark' UNION ALL SELECT 4, 'Chrome', 'homepage=intranet') a;

UPDATE servers SET failover_order = id WHERE server_role = 'management';

INSERT INTO virtual_hosts (id, server_id, host_name)
SELECT id, id, lower(name) || '.workspace.example.com' FROM servers WHERE server_role = 'personalization';

INSERT INTO policy_files (id, name, personalization_url)
SELECT id, 'Policy for ' || name, 'http://' || lower(name) || ':' || port || '/PersonalizationServer' FROM servers WHERE server_role = 'personalization';

INSERT INTO hw_version (version) VALUES ('2022.1');
