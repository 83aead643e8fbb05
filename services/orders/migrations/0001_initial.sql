-- The orders service's schema: orders reported by partner platforms and their lines, the
-- cooperatives each order concerns, one fulfilment per cooperative, shipments, after-sales,
-- settlements with their household payouts, and the audit of SHIPPING views.
-- Times are UTC microseconds, money is fen, ids are the service's 26-character ids.

CREATE TABLE orders (
  id CHAR(26) NOT NULL PRIMARY KEY,
  partner_id CHAR(26) NOT NULL,
  shop_id VARCHAR(64) NOT NULL,
  external_order_id VARCHAR(64) NOT NULL,
  state TINYINT NOT NULL,
  partner_status VARCHAR(64) NOT NULL,
  platform_create_time_us BIGINT NOT NULL,
  platform_update_time_us BIGINT NOT NULL,
  pay_time_us BIGINT NULL,
  -- Buyer contact: sealed with the personal-data key (crypto.h PiiCipher), and the masks shown in
  -- every masked reply (computed once, at write).
  buyer_name_sealed VARCHAR(512) NOT NULL,
  buyer_phone_sealed VARCHAR(512) NOT NULL,
  buyer_address_sealed VARCHAR(2048) NOT NULL,
  -- Sized for the documented limits sealed ("v1:" + base64url(nonce | bytes | tag)): the contact
  -- reference's 512 four-byte characters seal to 2771 characters; name (50) to 307, phone (20) to
  -- 67, address (200) to 1107.
  buyer_contact_ref_sealed VARCHAR(2800) NOT NULL,
  buyer_name_masked VARCHAR(200) NOT NULL,
  buyer_phone_masked VARCHAR(40) NOT NULL,
  buyer_region_code CHAR(6) NOT NULL,
  goods_total_fen BIGINT NOT NULL,
  shipping_fee_fen BIGINT NOT NULL,
  -- Stock saga (stock_saga.cc): the reservation backing the order, where it stands, which attempt
  -- made it (the reservation id is derived from order id and attempt), whether the partner brought
  -- it, and when a pending stock step is due for the recovery job (NULL: nothing pending).
  reservation_id VARCHAR(64) NOT NULL,
  reservation_from_partner TINYINT NOT NULL,
  stock_status TINYINT NOT NULL,
  stock_attempt INT NOT NULL,
  stock_due_us BIGINT NULL,
  shipping_held TINYINT NOT NULL,
  cancel_reason VARCHAR(2000) NOT NULL,
  -- Fingerprints of the lines and of the whole reported content (UNCHANGED, ORDER_LINES_IMMUTABLE).
  lines_hash CHAR(64) NOT NULL,
  content_hash CHAR(64) NOT NULL,
  last_ship_time_us BIGINT NULL,
  delivery_time_us BIGINT NULL,
  -- When automatic completion is due (order_rules.h AutoCompletionTime); NULL when not scheduled.
  complete_due_us BIGINT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_orders_external (partner_id, shop_id, external_order_id),
  KEY idx_orders_partner (partner_id, id),
  KEY idx_orders_reconcile (partner_id, platform_update_time_us, id),
  KEY idx_orders_stock_due (stock_due_us),
  KEY idx_orders_complete_due (complete_due_us),
  CONSTRAINT chk_orders_goods_total CHECK (goods_total_fen >= 0),
  CONSTRAINT chk_orders_shipping_fee CHECK (shipping_fee_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_lines (
  order_id CHAR(26) NOT NULL,
  line_no INT NOT NULL,
  external_line_id VARCHAR(64) NOT NULL,
  product_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  quantity BIGINT NOT NULL,
  unit_price_fen BIGINT NOT NULL,
  line_total_fen BIGINT NOT NULL,
  price_mismatch TINYINT NOT NULL,
  unit_weight_grams BIGINT NOT NULL,
  packed_weight_grams BIGINT NOT NULL,
  PRIMARY KEY (order_id, line_no),
  UNIQUE KEY uk_order_lines_external (order_id, external_line_id),
  CONSTRAINT chk_order_lines_quantity CHECK (quantity > 0),
  CONSTRAINT chk_order_lines_unit_price CHECK (unit_price_fen >= 0),
  CONSTRAINT chk_order_lines_total CHECK (line_total_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The cooperatives with a line in an order: the scope of cooperative admins and social workers,
-- and ListOrders by cooperative in keyset order.
CREATE TABLE order_cooperatives (
  cooperative_id CHAR(26) NOT NULL,
  order_id CHAR(26) NOT NULL,
  PRIMARY KEY (cooperative_id, order_id),
  KEY idx_order_cooperatives_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE fulfilments (
  id CHAR(26) NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  state TINYINT NOT NULL,
  shipment_id CHAR(26) NOT NULL,
  pack_time_us BIGINT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_fulfilments_order_coop (order_id, cooperative_id),
  KEY idx_fulfilments_coop (cooperative_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE shipments (
  id CHAR(26) NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  fulfilment_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  carrier_code VARCHAR(32) NOT NULL,
  tracking_number VARCHAR(40) NOT NULL,
  state TINYINT NOT NULL,
  ship_time_us BIGINT NOT NULL,
  delivery_time_us BIGINT NULL,
  UNIQUE KEY uk_shipments_fulfilment (fulfilment_id),
  KEY idx_shipments_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE after_sales (
  id CHAR(26) NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  partner_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  -- NULL when the platform gave none (several NULLs do not collide in the unique key).
  external_after_sale_id VARCHAR(64) NULL,
  kind TINYINT NOT NULL,
  refund_total_fen BIGINT NOT NULL,
  reason VARCHAR(2000) NOT NULL,
  state TINYINT NOT NULL,
  reject_reason VARCHAR(2000) NOT NULL,
  close_reason VARCHAR(2000) NOT NULL,
  decided_by VARCHAR(64) NOT NULL,
  -- The returned goods' way back into stock (CompleteAfterSale with restock): 0 not asked, 1 due
  -- (the RETURN stock movements are being made; the stock recovery job finishes them), 2 done.
  restock_state TINYINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_after_sales_external (order_id, external_after_sale_id),
  KEY idx_after_sales_partner (partner_id, id),
  KEY idx_after_sales_coop (cooperative_id, id),
  KEY idx_after_sales_restock (restock_state),
  CONSTRAINT chk_after_sales_refund CHECK (refund_total_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE after_sale_lines (
  after_sale_id CHAR(26) NOT NULL,
  line_no INT NOT NULL,
  external_line_id VARCHAR(64) NOT NULL,
  quantity BIGINT NOT NULL,
  refund_fen BIGINT NOT NULL,
  PRIMARY KEY (after_sale_id, line_no),
  CONSTRAINT chk_after_sale_lines_quantity CHECK (quantity >= 0),
  CONSTRAINT chk_after_sale_lines_refund CHECK (refund_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One settlement per cooperative per completed order (after_sale_id ''), and one reversal per
-- after-sale completed after that (after_sale_id set): the unique key makes a second one fail.
CREATE TABLE settlements (
  id CHAR(26) NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  partner_id CHAR(26) NOT NULL,
  gross_fen BIGINT NOT NULL,
  commission_rate_bps INT NOT NULL,
  partner_commission_fen BIGINT NOT NULL,
  service_fee_bps INT NOT NULL,
  service_fee_fen BIGINT NOT NULL,
  producer_total_fen BIGINT NOT NULL,
  reversed_settlement_id VARCHAR(26) NOT NULL,
  after_sale_id VARCHAR(26) NOT NULL,
  create_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_settlements_order_coop (order_id, cooperative_id, after_sale_id),
  KEY idx_settlements_coop (cooperative_id, id),
  KEY idx_settlements_partner (partner_id, id),
  CONSTRAINT chk_settlements_parts CHECK (
    partner_commission_fen + service_fee_fen + producer_total_fen = gross_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE settlement_payouts (
  settlement_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  gross_fen BIGINT NOT NULL,
  amount_fen BIGINT NOT NULL,
  PRIMARY KEY (settlement_id, household_id),
  KEY idx_settlement_payouts_household (household_id, settlement_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every read of an order's buyer contact in full (ORDER_VIEW_SHIPPING): who, when, which trace.
-- It holds no personal data itself.
CREATE TABLE shipping_view_audit (
  id CHAR(26) NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  principal_id VARCHAR(64) NOT NULL,
  role TINYINT NOT NULL,
  trace_id VARCHAR(64) NOT NULL,
  view_time_us BIGINT NOT NULL,
  KEY idx_shipping_view_audit_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
