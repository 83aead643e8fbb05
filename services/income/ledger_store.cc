#include "services/income/ledger_store.h"

#include "services/common/fields.h"
#include "services/common/sql_shapes.h"

namespace cooplink::income {
namespace {

constexpr const char* kEntryColumns =
    "SELECT id, household_id, kind, amount_fen, DATE_FORMAT(occurred_date, '%Y-%m-%d') AS day, "
    "source, source_ref, note, recorded_by, reversal_of, reversed_by, cooperative_id, "
    "support_source_id, create_time_us FROM income_entries";
constexpr const char* kInsertEntry =
    "INSERT INTO income_entries (id, household_id, kind, amount_fen, occurred_date, source, "
    "source_ref, import_key, note, recorded_by, reversal_of, reversed_by, cooperative_id, "
    "support_source_id, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)";
constexpr const char* kWhereId = " WHERE id = ?";
constexpr const char* kForUpdate = " FOR UPDATE";
constexpr const char* kWhereImportKey = " WHERE import_key = ?";
constexpr const char* kSetReversedBy = "UPDATE income_entries SET reversed_by = ? WHERE id = ?";
constexpr const char* kWhereHousehold = " WHERE household_id = ?";
constexpr const char* kAfterKey = " AND (occurred_date > ? OR (occurred_date = ? AND id > ?))";
constexpr const char* kFromDay = " AND occurred_date >= ?";
constexpr const char* kToDay = " AND occurred_date <= ?";
constexpr const char* kOfKind = " AND kind = ?";
constexpr const char* kOrderByDayId = " ORDER BY occurred_date, id LIMIT ?";

constexpr const char* kSourceExists = "SELECT 1 FROM support_sources WHERE id = ?";
constexpr const char* kSourceNameTaken = "SELECT 1 FROM support_sources WHERE name = ?";
constexpr const char* kInsertSource =
    "INSERT INTO support_sources (id, name, kind, organization, created_by, create_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kSourceList =
    "SELECT id, name, kind, organization, created_by, create_time_us FROM support_sources "
    "WHERE id > ?";
constexpr const char* kSourceOfKind = " AND kind = ?";
constexpr const char* kSourceOrder = " ORDER BY id LIMIT ?";

SqlParam Nullable(const std::string& s) { return s.empty() ? SqlParam(nullptr) : SqlParam(s); }

v1::IncomeEntry EntryFromRow(sql::ResultSet& rs) {
  v1::IncomeEntry e;
  e.set_id(rs.getString("id"));
  e.set_household_id(rs.getString("household_id"));
  e.set_kind(static_cast<v1::IncomeKind>(rs.getInt("kind")));
  e.mutable_amount()->set_fen(rs.getInt64("amount_fen"));
  *e.mutable_occurred_date() = DateFromSql(rs.getString("day"));
  e.set_source(static_cast<v1::IncomeSource>(rs.getInt("source")));
  e.set_source_ref(rs.getString("source_ref"));
  e.set_note(rs.getString("note"));
  e.set_recorded_by(rs.getString("recorded_by"));
  e.set_reversal_of(GetOptionalString(rs, "reversal_of").value_or(""));
  e.set_reversed_by(GetOptionalString(rs, "reversed_by").value_or(""));
  e.set_cooperative_id(GetOptionalString(rs, "cooperative_id").value_or(""));
  e.set_support_source_id(GetOptionalString(rs, "support_source_id").value_or(""));
  *e.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  return e;
}

v1::SupportSource SourceFromRow(sql::ResultSet& rs) {
  v1::SupportSource s;
  s.set_id(rs.getString("id"));
  s.set_name(rs.getString("name"));
  s.set_kind(static_cast<v1::SupportSourceKind>(rs.getInt("kind")));
  s.set_organization(rs.getString("organization"));
  s.set_created_by(rs.getString("created_by"));
  *s.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  return s;
}

std::optional<v1::IncomeEntry> LoadOne(Tx& tx, const std::string& sql, const std::string& key) {
  auto rs = tx.Query(sql, key);
  if (!rs->next()) return std::nullopt;
  return EntryFromRow(*rs);
}

}  // namespace

void InsertEntry(Tx& tx, const v1::IncomeEntry& e, const std::optional<std::string>& import_key) {
  tx.ExecuteParams(kInsertEntry,
                   {e.id(), e.household_id(), static_cast<int64_t>(e.kind()), e.amount().fen(),
                    DateToSql(e.occurred_date()), static_cast<int64_t>(e.source()), e.source_ref(),
                    Param(import_key), e.note(), e.recorded_by(), Nullable(e.reversal_of()),
                    Nullable(e.cooperative_id()), Nullable(e.support_source_id()),
                    TimestampMicros(e.create_time())});
}

std::optional<v1::IncomeEntry> LoadEntry(Tx& tx, const std::string& id, bool for_update) {
  std::string sql = std::string(kEntryColumns) + kWhereId;
  if (for_update) sql += kForUpdate;
  return LoadOne(tx, sql, id);
}

std::optional<v1::IncomeEntry> LoadEntryByImportKey(Tx& tx, const std::string& import_key) {
  return LoadOne(tx, std::string(kEntryColumns) + kWhereImportKey, import_key);
}

void SetReversedBy(Tx& tx, const std::string& id, const std::string& reversed_by) {
  tx.Execute(kSetReversedBy, reversed_by, id);
}

std::vector<v1::IncomeEntry> ListEntries(Tx& tx, const EntryListQuery& q) {
  SqlQuery query{std::string(kEntryColumns) + kWhereHousehold, {q.household_id}};
  if (!q.after_date.empty()) {
    query.sql += kAfterKey;
    query.params.insert(query.params.end(), {q.after_date, q.after_date, q.after_id});
  }
  if (q.year != 0) {
    query.Add(kFromDay, CivilToSql(absl::CivilDay(q.year, 1, 1)));
    query.Add(kToDay, CivilToSql(absl::CivilDay(q.year, 12, 31)));
  }
  if (q.kind != v1::INCOME_KIND_UNSPECIFIED) query.Add(kOfKind, static_cast<int64_t>(q.kind));
  query.Add(kOrderByDayId, static_cast<int64_t>(q.limit));
  auto rs = tx.QueryParams(query.sql, query.params);
  std::vector<v1::IncomeEntry> out;
  while (rs->next()) out.push_back(EntryFromRow(*rs));
  return out;
}

bool SupportSourceExists(Tx& tx, const std::string& id) {
  return tx.Query(kSourceExists, id)->next();
}

bool SupportSourceNameTaken(Tx& tx, const std::string& name) {
  return tx.Query(kSourceNameTaken, name)->next();
}

void InsertSupportSource(Tx& tx, const v1::SupportSource& s) {
  tx.Execute(kInsertSource, s.id(), s.name(), static_cast<int64_t>(s.kind()), s.organization(),
             s.created_by(), TimestampMicros(s.create_time()));
}

std::vector<v1::SupportSource> LoadSupportSources(Tx& tx, v1::SupportSourceKind kind,
                                                  const std::string& after, int limit) {
  SqlQuery query{kSourceList, {after}};
  if (kind != v1::SUPPORT_SOURCE_KIND_UNSPECIFIED) {
    query.Add(kSourceOfKind, static_cast<int64_t>(kind));
  }
  query.Add(kSourceOrder, static_cast<int64_t>(limit));
  auto rs = tx.QueryParams(query.sql, query.params);
  std::vector<v1::SupportSource> out;
  while (rs->next()) out.push_back(SourceFromRow(*rs));
  return out;
}

}  // namespace cooplink::income
