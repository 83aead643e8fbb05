// What catalog's CHECK constraints (migrations/*.sql) mean to a caller when a write breaks one
// (db_errors.h). Input rules answer INVALID_ARGUMENT on the request field the constraint guards
// (the validators normally answer first); the stock constraints are the last line of defence
// behind the conditional UPDATEs and answer like them, INSUFFICIENT_STOCK.
// tests/unit/catalog/check_constraints_test.cc keeps this list equal to the constraints the
// migrations declare.
#include "services/catalog/catalog_server.h"

namespace cooplink::catalog {

std::vector<CheckConstraintRule> CheckConstraintRules() {
  return {
      InputRule("chk_products_price", "product.price.fen", "must be greater than 0 fen"),
      InputRule("chk_products_min_order", "product.min_order_quantity", "must be at least 1"),
      InputRule("chk_lots_quantity", "lot.quantity", "must be greater than 0"),
      StateRule("chk_lots_remaining", "INSUFFICIENT_STOCK",
                "a lot's remaining quantity cannot go below 0"),
      StateRule("chk_stock_on_hand", "INSUFFICIENT_STOCK", "stock on hand cannot go below 0"),
      StateRule("chk_stock_reserved", "INSUFFICIENT_STOCK", "reserved stock cannot go below 0"),
      StateRule("chk_stock_available", "INSUFFICIENT_STOCK",
                "stock on hand cannot fall below the reserved quantity"),
      InputRule("chk_reservation_lines_quantity", "lines.quantity", "must be greater than 0"),
      InputRule("chk_offers_price", "offer.channel_price.fen",
                "must be greater than 0 fen when set"),
  };
}

}  // namespace cooplink::catalog
