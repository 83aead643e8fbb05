-- Households whose alerts must be re-evaluated after a ledger change made where membership could
-- not be asked: the settlement importer applies entries inside the stream consumer's transaction,
-- and a transaction never waits on the network, so it cannot fetch the household's facts
-- (village, size history) that Income::EvaluateAlerts needs. It queues the household here in the
-- same transaction instead; the alert review job (RunAlertReviews) takes rows in queue order,
-- asks membership for the facts, re-evaluates the household and deletes the row. One row per
-- household: a second change before the review keeps the first queue time.
CREATE TABLE household_alert_reviews (
  household_id CHAR(26) NOT NULL PRIMARY KEY,
  reason VARCHAR(100) NOT NULL,
  queue_time_us BIGINT NOT NULL,
  KEY idx_household_alert_reviews_queue (queue_time_us, household_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
