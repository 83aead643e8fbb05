// Storage of stock, lots and stock movements: the SQL (named constants in stock_store.cc) and row
// mapping. Every change of a stock row is a conditional UPDATE whose affected-row count is
// checked (never read-then-write): the functions below return false when the condition failed.
// Functions taking Tx& run in the caller's transaction and may throw sql::SQLException.
#ifndef COOPLINK_SERVICES_CATALOG_STOCK_STORE_H_
#define COOPLINK_SERVICES_CATALOG_STOCK_STORE_H_

#include <cppconn/resultset.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// --- Stock rows ---------------------------------------------------------------------------------
// Reads the product's stock into `out` (a product never stocked has zeros and its create time).
void LoadStock(Tx& tx, const v1::Product& product, v1::Stock* out);
// Adds (positive) units to on_hand, creating the row on first use.
void AddOnHand(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us);
// Removes units while available (on_hand - reserved) stays >= 0; false when it would not.
bool RemoveOnHand(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us);
// Reserves units while available covers them; false when it does not.
bool Reserve(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us);
// The units available now (locks the stock row); 0 without a row.
int64_t LockedAvailable(Tx& tx, const std::string& product_id);
// Gives reserved units back; false when fewer are reserved (a broken invariant).
bool Unreserve(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us);
// Reserved units leave on_hand and reserved; false when either holds fewer (a broken invariant).
bool ConsumeReserved(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us);

// --- Lots ---------------------------------------------------------------------------------------
bool LotCodeTaken(Tx& tx, const std::string& product_id, const std::string& code);
void InsertLot(Tx& tx, const std::string& id, const v1::Product& product, const std::string& code,
               absl::CivilDay harvest, int64_t quantity, const std::string& actor, int64_t now_us);
// Loads a lot just written by this transaction.
void LoadLot(Tx& tx, const std::string& id, v1::Lot* out);
// Keyset page (page.size + 1 rows after page.after) of a product's lots.
std::unique_ptr<sql::ResultSet> SelectLots(Tx& tx, const std::string& product_id,
                                           const PageRequest& page);
void LotFromRow(sql::ResultSet& rs, v1::Lot* out);
// Adds `delta` to the lot's remaining units while they stay >= 0; false when the lot is absent or
// would go negative.
bool AdjustLot(Tx& tx, const std::string& lot_id, const std::string& product_id, int64_t delta);
// The units left in the lot of the product; nullopt when there is no such lot.
std::optional<int64_t> LotRemaining(Tx& tx, const std::string& lot_id,
                                    const std::string& product_id);
// Draws `quantity` units from the product's lots, oldest harvest first (locks them); units beyond
// what the lots hold (stock added without a lot) are drawn from none. False when a lot changed
// under its lock (a broken invariant).
bool DrawFromLots(Tx& tx, const std::string& product_id, int64_t quantity);

// --- Movements ----------------------------------------------------------------------------------
void InsertMovement(Tx& tx, const std::string& id, const std::string& product_id,
                    const std::optional<std::string>& lot_id, int64_t delta,
                    v1::StockAdjustmentReason reason, const std::string& note,
                    const std::string& actor, int64_t now_us);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_STOCK_STORE_H_
