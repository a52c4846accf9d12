-- Harbor Workspace Manager 2019.1: configuration and personalization database,
-- schema and sample data (MySQL, MariaDB).
--
-- Installs a fresh 2019.1 database (upwiz install --version 2019.1): three servers
-- (Personalization Servers PS01 and PS02 on port 7771, Management Server MS01 on
-- 7751), replication between PS01 and PS02 switched off, 4 personalization groups
-- and 48 user settings (12 users x 4 applications).

CREATE TABLE hw_version (
    version VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE servers (
    id INT NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    server_role VARCHAR(255) NOT NULL,
    port INT NOT NULL,
    CONSTRAINT servers_name UNIQUE (name),
    CONSTRAINT servers_known_role CHECK (server_role IN ('personalization', 'management'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE replication_partners (
    server_id INT NOT NULL PRIMARY KEY,
    partner VARCHAR(255) NOT NULL,
    enabled INT NOT NULL DEFAULT 0,
    CONSTRAINT replication_partners_server FOREIGN KEY (server_id) REFERENCES servers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE personalization_groups (
    id INT NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    priority INT NOT NULL,
    CONSTRAINT personalization_groups_name UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE user_settings (
    id INT NOT NULL PRIMARY KEY,
    group_id INT NOT NULL,
    username VARCHAR(255) NOT NULL,
    application VARCHAR(255) NOT NULL,
    setting_value VARCHAR(255),
    CONSTRAINT user_settings_group FOREIGN KEY (group_id) REFERENCES personalization_groups (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX user_settings_username ON user_settings (username);

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

INSERT INTO hw_version (version) VALUES ('2019.1');
