// What orders' CHECK constraints (migrations/*.sql) mean to a caller when a write breaks one
// (db_errors.h). The validators answer first; these are the last line of defence.
// tests/unit/orders/check_constraints_test.cc keeps this list equal to the constraints the
// migrations declare.
#include "services/orders/orders_server.h"

namespace cooplink::orders {

std::vector<CheckConstraintRule> CheckConstraintRules() {
  return {
      InputRule("chk_orders_goods_total", "order.lines.line_total", "must be 0 fen or more"),
      InputRule("chk_orders_shipping_fee", "order.shipping_fee.fen", "must be 0 fen or more"),
      InputRule("chk_order_lines_quantity", "order.lines.quantity", "must be greater than 0"),
      InputRule("chk_order_lines_unit_price", "order.lines.unit_price.fen",
                "must be 0 fen or more"),
      InputRule("chk_order_lines_total", "order.lines.line_total.fen", "must be 0 fen or more"),
      InputRule("chk_after_sales_refund", "after_sale.lines.refund.fen",
                "must be greater than 0 fen"),
      InputRule("chk_after_sale_lines_quantity", "after_sale.lines.quantity", "must be 0 or more"),
      InputRule("chk_after_sale_lines_refund", "after_sale.lines.refund.fen",
                "must be greater than 0 fen"),
      StateRule("chk_settlements_parts", "SETTLEMENT_INCONSISTENT",
                "a settlement's parts must sum to its gross"),
  };
}

}  // namespace cooplink::orders
