-- The revocation feed is sequenced at commit (revocation_log.h): RevokeToken appends a message to
-- the outbox (topic 'membership.revocations') and the server's outbox relay gives each committed
-- revocation the next sequence under the revocation_feed_head row lock. token_revocations numbered
-- rows with AUTO_INCREMENT at INSERT, so a revocation could commit after a later-numbered one that
-- a poller had already passed, and be skipped. Its rows move here with their sequences, so the
-- cursors other services hold stay valid; the head continues after the largest.
CREATE TABLE revocation_feed (
  sequence BIGINT NOT NULL PRIMARY KEY,
  token_id CHAR(26) NOT NULL,
  expire_time_us BIGINT NOT NULL,
  UNIQUE KEY uk_revocation_feed_token (token_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE revocation_feed_head (
  id TINYINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO revocation_feed (sequence, token_id, expire_time_us)
SELECT sequence, token_id, expire_time_us FROM token_revocations ORDER BY sequence;
INSERT INTO revocation_feed_head (id, last_sequence)
SELECT 1, COALESCE(MAX(sequence), 0) FROM token_revocations;
DROP TABLE token_revocations;
