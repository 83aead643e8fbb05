-- Reports sum a county's ledger (up to 20000 households, a year of entries) grouped by household,
-- kind, source, support source and month. idx_income_entries_household finds each household's
-- entries of the period but every row then costs a primary-key lookup; this index holds every
-- column those statements read, so they run on the index alone (measured on 100,000 households and
-- 5,000,000 entries with a 128 MB buffer pool: the county's sums 7 s → 1.7 s).
CREATE INDEX idx_income_entries_report ON income_entries
  (household_id, occurred_date, kind, source, amount_fen, support_source_id);
