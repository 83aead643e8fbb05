-- The order event feed behind WatchOrderEvents (services/orders/order_events.h). Every transaction
-- that changes an order appends an OrderEvent to the outbox (topic 'orders.events', key the order
-- id); the outbox relay's OrderEventSequencer gives each committed event the next sequence under
-- the order_event_head row lock and writes it here, so a stream reading "seq greater than my
-- cursor" never passes an event that commits later. Depends on no other orders table.

-- One row per event: the OrderEvent as the writer serialised it (payload, cursor empty), with
-- the columns the scoped reads filter on. cooperative_id is '' for an order-level event
-- (ORDER_CREATED, ORDER_UPDATED) and the component's cooperative for FULFILMENT_CHANGED,
-- AFTER_SALE_CHANGED and SETTLEMENT_CREATED. Retention: the purge removes the oldest events in
-- seq order while their event_time_us is older than the retention (7 days), so the retained events
-- are always every seq from the oldest retained one to the head.
CREATE TABLE order_events (
  seq BIGINT NOT NULL PRIMARY KEY,
  order_id CHAR(26) NOT NULL,
  partner_id CHAR(26) NOT NULL,
  cooperative_id VARCHAR(26) NOT NULL,
  kind TINYINT NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  event_time_us BIGINT NOT NULL,
  KEY idx_order_events_partner (partner_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who may see an event besides the platform admin and the order's partner: one row per
-- cooperative. An order-level event is seen by every distinct cooperative of the order's lines; a
-- component event only by its own cooperative. Purged with its event (idx by seq).
CREATE TABLE order_event_scopes (
  cooperative_id CHAR(26) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (cooperative_id, seq),
  KEY idx_order_event_scopes_seq (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last sequence given (one row, id 1), locked by the sequencer (feed_sequence.h).
CREATE TABLE order_event_head (
  id TINYINT NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO order_event_head (id, last_sequence) VALUES (1, 0);
