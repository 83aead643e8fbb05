-- Revocations of expired tokens leave the feed (ListTokenRevocations already hides them; its
-- contract lets them disappear): the purge finds them by expiry.
CREATE INDEX idx_revocation_feed_expiry ON revocation_feed (expire_time_us);
