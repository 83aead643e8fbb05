-- The income service's schema: each household's income ledger (append-only; a correction is a
-- reversing entry), the support sources entries name, households' baselines, monitoring lines,
-- alerts, cooperatives' surplus distributions with their member allocations, and the settlement
-- importer's own records (which settlements it applied, reversals waiting for their settlement).
-- Households, members and cooperatives live in membership: only their ids are kept here.
-- Times are UTC microseconds, money is fen, dates are DATE (Asia/Shanghai calendar days), ids are
-- the service's 26-character ids.

CREATE TABLE support_sources (
  id CHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  kind TINYINT NOT NULL,
  organization VARCHAR(200) NOT NULL,
  created_by VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_support_sources_name (name),
  KEY idx_support_sources_kind (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE income_entries (
  id CHAR(26) NOT NULL PRIMARY KEY,
  household_id CHAR(26) NOT NULL,
  kind TINYINT NOT NULL,
  amount_fen BIGINT NOT NULL,
  occurred_date DATE NOT NULL,
  source TINYINT NOT NULL,
  source_ref VARCHAR(128) NOT NULL,
  -- The import key of a MARKETPLACE_SETTLEMENT entry ("<settlement_id>/<household_id>" of the
  -- settlement or reversal settlement that made it); NULL for every other entry. Unique: a
  -- settlement delivered twice records its entries once.
  import_key VARCHAR(64) NULL,
  note VARCHAR(200) NOT NULL,
  recorded_by VARCHAR(64) NOT NULL,
  reversal_of CHAR(26) NULL,
  reversed_by CHAR(26) NULL,
  cooperative_id CHAR(26) NULL,
  support_source_id CHAR(26) NULL,
  create_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_income_entries_import (import_key),
  -- At most one reversing entry per entry.
  UNIQUE KEY uk_income_entries_reversal (reversal_of),
  KEY idx_income_entries_household (household_id, occurred_date, id),
  KEY idx_income_entries_cooperative (cooperative_id, household_id, occurred_date),
  KEY idx_income_entries_source (support_source_id, occurred_date),
  CONSTRAINT chk_income_entries_amount CHECK (amount_fen <> 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE household_baselines (
  household_id CHAR(26) NOT NULL PRIMARY KEY,
  year SMALLINT NOT NULL,
  per_capita_fen BIGINT NOT NULL,
  source_note VARCHAR(200) NOT NULL,
  set_by VARCHAR(64) NOT NULL,
  set_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE monitoring_thresholds (
  id CHAR(26) NOT NULL PRIMARY KEY,
  region_code CHAR(6) NOT NULL,
  year SMALLINT NOT NULL,
  amount_per_capita_fen BIGINT NOT NULL,
  source_document VARCHAR(500) NOT NULL,
  created_by VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_monitoring_thresholds_region_year (region_code, year),
  KEY idx_monitoring_thresholds_year (year, region_code),
  CONSTRAINT chk_monitoring_thresholds_amount CHECK (amount_per_capita_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE alerts (
  id CHAR(26) NOT NULL PRIMARY KEY,
  household_id CHAR(26) NOT NULL,
  village_code CHAR(12) NOT NULL,
  kind TINYINT NOT NULL,
  year SMALLINT NOT NULL,
  state TINYINT NOT NULL,
  -- "<household_id>/<kind>" while the alert is not RESOLVED, NULL afterwards: at most one
  -- non-RESOLVED alert per household and kind, also under concurrent evaluations.
  open_key VARCHAR(40) NULL,
  per_capita_fen BIGINT NOT NULL,
  threshold_fen BIGINT NULL,
  previous_per_capita_fen BIGINT NULL,
  detail VARCHAR(500) NOT NULL,
  acknowledged_by VARCHAR(64) NOT NULL,
  acknowledge_time_us BIGINT NULL,
  resolved_by VARCHAR(64) NOT NULL,
  resolve_time_us BIGINT NULL,
  resolution_note VARCHAR(500) NOT NULL,
  recovered TINYINT NOT NULL,
  recover_time_us BIGINT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_alerts_open (open_key),
  KEY idx_alerts_village (village_code, id),
  KEY idx_alerts_household (household_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Alert evaluations still to run (a threshold was created for a region, the daily check): the
-- background job takes rows in id order and re-evaluates the households of the region.
CREATE TABLE alert_reviews (
  id CHAR(26) NOT NULL PRIMARY KEY,
  region_code CHAR(6) NOT NULL,
  reason VARCHAR(100) NOT NULL,
  -- The last household id reviewed (resume point), "" before the first.
  after_household_id CHAR(26) NOT NULL,
  create_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE surplus_distributions (
  id CHAR(26) NOT NULL PRIMARY KEY,
  cooperative_id CHAR(26) NOT NULL,
  fiscal_year SMALLINT NOT NULL,
  surplus_fen BIGINT NOT NULL,
  reserve_fund_bps INT NOT NULL,
  reserve_fund_fen BIGINT NOT NULL,
  distributable_fen BIGINT NOT NULL,
  patronage_share_bps INT NOT NULL,
  patronage_pool_fen BIGINT NOT NULL,
  capital_pool_fen BIGINT NOT NULL,
  note VARCHAR(500) NOT NULL,
  state TINYINT NOT NULL,
  -- "<cooperative_id>/<fiscal_year>" once PUBLISHED (and APPROVED), NULL for a draft: at most one
  -- published or approved distribution per cooperative and fiscal year.
  published_key VARCHAR(40) NULL,
  publish_time_us BIGINT NULL,
  display_end_time_us BIGINT NULL,
  assembly_date DATE NULL,
  approved_by VARCHAR(64) NOT NULL,
  approve_time_us BIGINT NULL,
  created_by VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_surplus_distributions_published (published_key),
  KEY idx_surplus_distributions_cooperative (cooperative_id, fiscal_year, id),
  CONSTRAINT chk_surplus_distributions_patronage CHECK (patronage_share_bps BETWEEN 6000 AND 10000),
  CONSTRAINT chk_surplus_distributions_parts CHECK (
    reserve_fund_fen + distributable_fen = surplus_fen AND
    patronage_pool_fen + capital_pool_fen = distributable_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE surplus_allocations (
  distribution_id CHAR(26) NOT NULL,
  member_id CHAR(26) NOT NULL,
  household_id VARCHAR(26) NOT NULL,
  transaction_fen BIGINT NOT NULL,
  capital_contribution_fen BIGINT NOT NULL,
  reserve_and_subsidy_fen BIGINT NOT NULL,
  capital_and_reserve_fen BIGINT NOT NULL,
  member_days INT NOT NULL,
  patronage_fen BIGINT NOT NULL,
  capital_fen BIGINT NOT NULL,
  PRIMARY KEY (distribution_id, member_id),
  KEY idx_surplus_allocations_member (member_id, distribution_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The settlement importer: every settlement it applied (once each), and reversal settlements that
-- arrived before the settlement they reverse (applied when it arrives).
CREATE TABLE settlement_imports (
  settlement_id CHAR(26) NOT NULL PRIMARY KEY,
  cooperative_id CHAR(26) NOT NULL,
  reversed_settlement_id CHAR(26) NULL,
  entries INT NOT NULL,
  event_time_us BIGINT NOT NULL,
  apply_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE pending_reversals (
  settlement_id CHAR(26) NOT NULL PRIMARY KEY,
  reversed_settlement_id CHAR(26) NOT NULL,
  -- The reversal settlement (cooplink.orders.v1.Settlement, binary).
  settlement BLOB NOT NULL,
  event_time_us BIGINT NOT NULL,
  arrive_time_us BIGINT NOT NULL,
  KEY idx_pending_reversals_reversed (reversed_settlement_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
