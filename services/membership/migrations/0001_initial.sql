-- Membership's own database. Times are UTC microseconds since the epoch (BIGINT, *_us), dates are
-- DATE, money is BIGINT fen. Personal data (resident ID, phone) is stored only as AES-256-GCM
-- ciphertext (*_enc) plus a keyed HMAC (*_hash) for uniqueness look-ups. `version` backs the etag.

CREATE TABLE cooperatives (
  id CHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  uscc CHAR(18) NOT NULL,
  region_code CHAR(6) NOT NULL,
  fiscal_year_end_month TINYINT NOT NULL,
  service_fee_bps INT NOT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_cooperatives_uscc (uscc),
  KEY idx_cooperatives_region (region_code, id),
  CONSTRAINT chk_cooperatives_month CHECK (fiscal_year_end_month BETWEEN 1 AND 12),
  CONSTRAINT chk_cooperatives_fee CHECK (service_fee_bps BETWEEN 0 AND 3000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE households (
  id CHAR(26) NOT NULL PRIMARY KEY,
  village_code CHAR(12) NOT NULL,
  head_name VARCHAR(50) NOT NULL,
  resident_size INT NOT NULL,
  ethnicity VARCHAR(20) NOT NULL,
  monitoring_category TINYINT NOT NULL,
  created_by_cooperative_id CHAR(26) NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  KEY idx_households_village (village_code, id),
  KEY idx_households_created_by (created_by_cooperative_id, id),
  CONSTRAINT chk_households_size CHECK (resident_size BETWEEN 1 AND 50)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE category_changes (
  id CHAR(26) NOT NULL PRIMARY KEY,
  household_id CHAR(26) NOT NULL,
  from_category TINYINT NOT NULL,
  to_category TINYINT NOT NULL,
  reason VARCHAR(500) NOT NULL,
  effective_date DATE NOT NULL,
  changed_by VARCHAR(64) NOT NULL,
  change_time_us BIGINT NOT NULL,
  KEY idx_category_changes_household (household_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE members (
  id CHAR(26) NOT NULL PRIMARY KEY,
  cooperative_id CHAR(26) NOT NULL,
  household_id CHAR(26) NOT NULL,
  name VARCHAR(50) NOT NULL,
  resident_id_enc VARCHAR(255) NOT NULL,
  resident_id_hash CHAR(64) NOT NULL,
  resident_id_masked VARCHAR(32) NOT NULL,
  -- resident_id_hash while ACTIVE or EXIT_REQUESTED, NULL once EXITED: a person is in a
  -- cooperative at most once at a time, and may join again after exiting.
  active_person_hash CHAR(64) NULL,
  phone_enc VARCHAR(255) NULL,
  phone_hash CHAR(64) NULL,
  phone_masked VARCHAR(16) NULL,
  is_farmer BOOLEAN NOT NULL,
  member_kind TINYINT NOT NULL,
  state TINYINT NOT NULL,
  birth_date DATE NULL,
  join_date DATE NOT NULL,
  contribution_total_fen BIGINT NOT NULL DEFAULT 0,
  exit_notice_time_us BIGINT NULL,
  exit_effective_date DATE NULL,
  exit_reason VARCHAR(500) NULL,
  exit_refund_fen BIGINT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_members_active_person (cooperative_id, active_person_hash),
  KEY idx_members_person (resident_id_hash),
  KEY idx_members_cooperative (cooperative_id, id),
  KEY idx_members_household (household_id, id),
  CONSTRAINT chk_members_contribution CHECK (contribution_total_fen >= 0),
  CONSTRAINT chk_members_refund CHECK (exit_refund_fen IS NULL OR exit_refund_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE capital_contributions (
  id CHAR(26) NOT NULL PRIMARY KEY,
  member_id CHAR(26) NOT NULL,
  cooperative_id CHAR(26) NOT NULL,
  amount_fen BIGINT NOT NULL,
  contribution_date DATE NOT NULL,
  note VARCHAR(200) NOT NULL,
  recorded_by VARCHAR(64) NOT NULL,
  create_time_us BIGINT NOT NULL,
  KEY idx_contributions_member (member_id, id),
  CONSTRAINT chk_contributions_amount CHECK (amount_fen > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE social_workers (
  id CHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  organization VARCHAR(100) NOT NULL,
  phone_enc VARCHAR(255) NULL,
  phone_hash CHAR(64) NULL,
  phone_masked VARCHAR(16) NULL,
  county_code CHAR(6) NOT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  KEY idx_social_workers_county (county_code, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE assignments (
  id CHAR(26) NOT NULL PRIMARY KEY,
  social_worker_id CHAR(26) NOT NULL,
  village_code CHAR(12) NULL,
  cooperative_id CHAR(26) NULL,
  state TINYINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  end_time_us BIGINT NULL,
  KEY idx_assignments_worker (social_worker_id, id),
  KEY idx_assignments_cooperative (cooperative_id, social_worker_id),
  KEY idx_assignments_village (village_code, social_worker_id),
  CONSTRAINT chk_assignments_scope CHECK ((village_code IS NULL) <> (cooperative_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE partners (
  id CHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  channel_kind TINYINT NOT NULL,
  commission_rate_bps INT NOT NULL,
  contact VARCHAR(100) NOT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  KEY idx_partners_channel (channel_kind, id),
  CONSTRAINT chk_partners_rate CHECK (commission_rate_bps BETWEEN 0 AND 5000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE principals (
  id CHAR(26) NOT NULL PRIMARY KEY,
  display_name VARCHAR(100) NOT NULL,
  role TINYINT NOT NULL,
  cooperative_id CHAR(26) NULL,
  household_id CHAR(26) NULL,
  member_id CHAR(26) NULL,
  social_worker_id CHAR(26) NULL,
  partner_id CHAR(26) NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  create_time_us BIGINT NOT NULL,
  KEY idx_principals_role (role, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bearer tokens are never stored: only their id, owner and lifetime.
CREATE TABLE tokens (
  id CHAR(26) NOT NULL PRIMARY KEY,
  principal_id CHAR(26) NOT NULL,
  expire_time_us BIGINT NOT NULL,
  revoke_time_us BIGINT NULL,
  create_time_us BIGINT NOT NULL,
  KEY idx_tokens_principal (principal_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only feed the other services poll (ListTokenRevocations) to refresh their caches.
CREATE TABLE token_revocations (
  sequence BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_id CHAR(26) NOT NULL,
  expire_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_token_revocations_token (token_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
