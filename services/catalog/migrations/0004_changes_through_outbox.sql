-- Catalog changes now travel through the runtime's outbox (topic 'catalog.changes', key the
-- product id, payload the JSON that EncodeChange writes) and an outbox relay sequences them into
-- catalog_changes: one mechanism instead of the catalog-only inbox. Rows still waiting in the
-- inbox move to the outbox in inbox order, then the inbox goes.
INSERT INTO outbox (topic, msg_key, payload, create_time_us, delivered_time_us, attempts,
                    next_attempt_us)
SELECT 'catalog.changes', product_id,
       CONCAT('{"kind":', kind, ',"product":{"id":"', product_id, '","cooperative_id":"',
              cooperative_id, '","household_id":"', household_id, '"}',
              CASE WHEN offer_id IS NULL THEN ''
                   ELSE CONCAT(',"offer":{"id":"', offer_id, '","partner_id":"',
                               COALESCE(partner_id, ''), '"}') END,
              '}'),
       change_time_us, NULL, 0, 0
FROM catalog_change_inbox ORDER BY id;
DROP TABLE catalog_change_inbox;
