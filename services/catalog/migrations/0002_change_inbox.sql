-- Writers no longer allocate feed sequences themselves (that serialised every catalog write at
-- COMMIT on feed_head). Each writing transaction inserts its changes here instead; one sequencer
-- at a time (Catalog::SequenceChanges, holding the feed_head row lock) moves committed rows into
-- catalog_changes in inbox order with consecutive sequences. Rows of one product arrive in commit
-- order (a later writer of the product waits on its row locks, so inserts its rows later), and a
-- reader of catalog_changes still never sees a gap.
CREATE TABLE catalog_change_inbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,
  product_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  offer_id CHAR(26) NULL,
  partner_id CHAR(26) NULL,
  change_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
