-- A partner's selling platform (the orders service translates its status vocabulary and carrier
-- codes) and who decides its refunds. Partners registered before have no platform, so the
-- cooperative decides their refunds until an admin says otherwise.
ALTER TABLE partners ADD COLUMN platform TINYINT NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN refund_decider TINYINT NOT NULL DEFAULT 2;
