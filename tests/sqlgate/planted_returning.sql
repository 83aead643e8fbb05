-- Fixture of the SQL gate's self-test (tools/sql_gate.sh --self-test): MariaDB-only RETURNING,
-- which MySQL 8 and TiDB refuse. The gate must fail on this file.
CREATE TABLE planted_items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
INSERT INTO planted_items (name) VALUES ('tea') RETURNING id;
