-- The history of each household's resident size (常住人口), the divisor of per-capita income for
-- the period each size held (issue 10). A row says: from effective_date on (China Standard Time),
-- the household had resident_size residents. Rows are appended in effective_date order; of several
-- rows with one effective_date the one with the greatest id holds. households.resident_size stays
-- the current size.
CREATE TABLE household_size_changes (
  id CHAR(26) NOT NULL PRIMARY KEY,
  household_id CHAR(26) NOT NULL,
  resident_size INT NOT NULL,
  effective_date DATE NOT NULL,
  changed_by VARCHAR(64) NOT NULL,
  change_time_us BIGINT NOT NULL,
  KEY idx_household_size_changes_household (household_id, effective_date, id),
  CONSTRAINT chk_household_size_changes_size CHECK (resident_size BETWEEN 1 AND 50)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every household registered before: its current size from its registration date (China Standard
-- Time, UTC+8 without daylight saving, computed without the session time zone). The row's id is the
-- household's own id: unique (one row per household), deterministic (a re-run inserts the same
-- rows), and it sorts before every id the service makes later for the household, since ids begin
-- with their creation time (ids.h).
INSERT INTO household_size_changes (id, household_id, resident_size, effective_date, changed_by,
                                    change_time_us)
SELECT h.id, h.id, h.resident_size,
       DATE_ADD(DATE '1970-01-01',
                INTERVAL FLOOR((h.create_time_us + 28800000000) / 86400000000) DAY),
       'migration', h.create_time_us
FROM households h;
