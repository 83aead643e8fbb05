-- Fixture of the SQL gate's self-test (tools/sql_gate.sh --self-test): MariaDB-only
-- CREATE OR REPLACE TABLE, which MySQL 8 and TiDB refuse. The gate must fail on this file.
CREATE OR REPLACE TABLE planted_things (
  id CHAR(26) NOT NULL PRIMARY KEY
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
