-- Catalog's own database. Times are UTC microseconds (BIGINT *_us), money BIGINT fen, quantities
-- BIGINT counts of the product's unit. `version` backs the etag.

CREATE TABLE products (
  id CHAR(26) NOT NULL PRIMARY KEY,
  cooperative_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  title VARCHAR(100) NOT NULL,
  description TEXT NOT NULL,
  -- repeated LocalizedText, image URLs and certifications, serialised as one protobuf
  -- (cooplink.catalog.v1.Product with only those fields), base64url.
  extras MEDIUMTEXT NOT NULL,
  category TINYINT NOT NULL,
  unit_kind TINYINT NOT NULL,
  sold_by_weight BOOLEAN NOT NULL,
  unit_weight_grams INT NOT NULL,
  price_fen BIGINT NOT NULL,
  min_order_quantity BIGINT NOT NULL,
  origin_region_code CHAR(6) NOT NULL,
  compliance_certificate_number VARCHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  rejection_reason VARCHAR(500) NOT NULL,
  submitted_by VARCHAR(64) NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  KEY idx_products_cooperative (cooperative_id, update_time_us, id),
  KEY idx_products_sync (update_time_us, id),
  KEY idx_products_household (household_id, id),
  CONSTRAINT chk_products_price CHECK (price_fen > 0),
  CONSTRAINT chk_products_min_order CHECK (min_order_quantity >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE product_transitions (
  id CHAR(26) NOT NULL PRIMARY KEY,
  product_id CHAR(26) NOT NULL,
  from_state TINYINT NOT NULL,
  to_state TINYINT NOT NULL,
  reason VARCHAR(500) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  transition_time_us BIGINT NOT NULL,
  KEY idx_transitions_product (product_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE price_changes (
  id CHAR(26) NOT NULL PRIMARY KEY,
  product_id CHAR(26) NOT NULL,
  old_price_fen BIGINT NOT NULL,
  new_price_fen BIGINT NOT NULL,
  changed_by VARCHAR(64) NOT NULL,
  change_time_us BIGINT NOT NULL,
  KEY idx_price_changes_product (product_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Keyword search: every product's title, description and labels cut into tokens (each CJK
-- character bigram, each lower-cased Latin/digit word), one row per (token, product).
CREATE TABLE product_tokens (
  token VARCHAR(32) NOT NULL,
  product_id CHAR(26) NOT NULL,
  PRIMARY KEY (token, product_id),
  KEY idx_product_tokens_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE lots (
  id CHAR(26) NOT NULL PRIMARY KEY,
  product_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  lot_code VARCHAR(64) NOT NULL,
  harvest_date DATE NOT NULL,
  quantity BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  created_by VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_lots_code (product_id, lot_code),
  CONSTRAINT chk_lots_quantity CHECK (quantity > 0),
  CONSTRAINT chk_lots_remaining CHECK (remaining >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per product. The CHECKs are the last line of defence: every change is also a
-- conditional UPDATE (… WHERE on_hand - reserved >= ?) whose affected-row count is checked.
CREATE TABLE stock (
  product_id CHAR(26) NOT NULL PRIMARY KEY,
  on_hand BIGINT NOT NULL,
  reserved BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  CONSTRAINT chk_stock_on_hand CHECK (on_hand >= 0),
  CONSTRAINT chk_stock_reserved CHECK (reserved >= 0),
  CONSTRAINT chk_stock_available CHECK (on_hand >= reserved)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stock_movements (
  id CHAR(26) NOT NULL PRIMARY KEY,
  product_id CHAR(26) NOT NULL,
  lot_id CHAR(26) NULL,
  delta BIGINT NOT NULL,
  reason TINYINT NOT NULL,
  note VARCHAR(200) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  KEY idx_stock_movements_product (product_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reservations (
  id VARCHAR(64) NOT NULL,
  partner_id CHAR(26) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  expire_time_us BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  PRIMARY KEY (partner_id, id),
  KEY idx_reservations_expiry (state, expire_time_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reservation_lines (
  partner_id CHAR(26) NOT NULL,
  reservation_id VARCHAR(64) NOT NULL,
  line_no INT NOT NULL,
  product_id CHAR(26) NOT NULL,
  quantity BIGINT NOT NULL,
  PRIMARY KEY (partner_id, reservation_id, line_no),
  CONSTRAINT chk_reservation_lines_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE offers (
  id CHAR(26) NOT NULL PRIMARY KEY,
  product_id CHAR(26) NOT NULL,
  partner_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  channel_price_fen BIGINT NULL,
  state TINYINT NOT NULL,
  -- product_id while ACTIVE, NULL once WITHDRAWN: one active offer per (product, partner).
  active_product_id CHAR(26) NULL,
  create_time_us BIGINT NOT NULL,
  withdraw_time_us BIGINT NULL,
  UNIQUE KEY uk_offers_active (partner_id, active_product_id),
  KEY idx_offers_product (product_id, id),
  KEY idx_offers_cooperative (cooperative_id, id),
  CONSTRAINT chk_offers_price CHECK (channel_price_fen IS NULL OR channel_price_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The 832 platform's county list is data an administrator maintains, with its source.
CREATE TABLE eligible_832_counties (
  region_code CHAR(6) NOT NULL PRIMARY KEY,
  source VARCHAR(200) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The change feed behind WatchCatalogChanges. Sequence numbers are allocated from feed_head at the
-- very end of each writing transaction (its row lock is held until COMMIT), so changes become
-- visible in sequence order and a reader resuming after sequence N never misses one.
CREATE TABLE catalog_changes (
  sequence BIGINT NOT NULL PRIMARY KEY,
  kind TINYINT NOT NULL,
  product_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  offer_id CHAR(26) NULL,
  partner_id CHAR(26) NULL,
  change_time_us BIGINT NOT NULL,
  KEY idx_catalog_changes_time (change_time_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE feed_head (
  id TINYINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO feed_head (id, last_sequence) VALUES (1, 0);
