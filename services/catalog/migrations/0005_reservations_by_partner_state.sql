-- ListReservations: a partner's reservations in one state (HELD above all: holds whose id the
-- partner lost) in id order, without reading the partner's whole history.
CREATE INDEX idx_reservations_partner_state ON reservations (partner_id, state, id);
