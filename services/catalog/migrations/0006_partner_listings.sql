-- Partner listings (ListPartnerListings, BatchGetPartnerListings) and changes that carry the state
-- right after them. The change sequencer (change_sequencer.cc) maintains all three tables in the
-- outbox relay's transaction, from the snapshots writers put into the outbox.

-- The snapshot of each change as staff and members see it (JSON of a CatalogChange without
-- cursor); NULL for changes sequenced before snapshots existed (they are read as the product is
-- now).
ALTER TABLE catalog_changes ADD COLUMN snapshot MEDIUMTEXT NULL;

-- Per product, its state as of the last sequenced change: the product as its last product change
-- left it and the stock as its last stock change left it (JSON of Product and Stock).
CREATE TABLE listing_sources (
  product_id CHAR(26) NOT NULL PRIMARY KEY,
  product MEDIUMTEXT NOT NULL,
  stock TEXT NOT NULL,
  sequence BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (partner, product) ever offered: the partner's current offer terms and its listing
-- (JSON of a PartnerListing without version fields) as of `version`, the feed sequence of the
-- change that last changed it. Tombstones (removed = 1) stay, so a resync since any watermark is
-- exact.
CREATE TABLE partner_listings (
  partner_id CHAR(26) NOT NULL,
  product_id CHAR(26) NOT NULL,
  offer_id CHAR(26) NOT NULL,
  offer_active TINYINT NOT NULL,
  channel_price_fen BIGINT NULL,
  removed TINYINT NOT NULL,
  listing MEDIUMTEXT NOT NULL,
  version BIGINT NOT NULL,
  change_time_us BIGINT NOT NULL,
  PRIMARY KEY (partner_id, product_id),
  KEY idx_partner_listings_version (partner_id, version),
  KEY idx_partner_listings_product (product_id, partner_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A partner's change stream: each change that changed one of its listings, with the CatalogChange
-- it receives (JSON, without cursor). Purged with catalog_changes.
CREATE TABLE partner_listing_changes (
  partner_id CHAR(26) NOT NULL,
  sequence BIGINT NOT NULL,
  product_id CHAR(26) NOT NULL,
  change_json MEDIUMTEXT NOT NULL,
  PRIMARY KEY (partner_id, sequence),
  KEY idx_partner_listing_changes_sequence (sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
