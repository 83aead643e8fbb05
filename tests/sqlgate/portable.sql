-- Fixture of the SQL gate's self-test (tools/sql_gate.sh --self-test): portable statements the
-- gate must accept, including the TiDB-only comments the migrations use.
CREATE TABLE portable_items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  price_fen BIGINT NOT NULL,
  CONSTRAINT chk_portable_items_price CHECK (price_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
CREATE TABLE portable_keys (
  a CHAR(26) NOT NULL,
  b CHAR(26) NOT NULL,
  PRIMARY KEY (a, b)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO portable_items (name, price_fen) VALUES ('returning tea', 100);
