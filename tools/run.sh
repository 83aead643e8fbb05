#!/usr/bin/env bash
# The README's "run" command: installs what is missing, builds, starts a private MariaDB and every
# cooplink service on loopback, loads the demo data, prints endpoints, tokens and a first call to
# try, and runs until Ctrl-C, which stops everything cleanly.
#
# Environment:
#   COOPLINK_MEMBERSHIP_PORT  membership's gRPC port (default 50051)
#   COOPLINK_CATALOG_PORT     catalog's gRPC port (default 50052)
#   COOPLINK_ORDERS_PORT      orders' gRPC port (default 50053)
#   COOPLINK_INCOME_PORT      income's gRPC port (default 50054)
#   COOPLINK_RUN_DIR          state folder: database, keys, logs (default build/run)
# The demo database is recreated at every start; the keys in $COOPLINK_RUN_DIR/secrets.env are
# generated once and kept.
#
# Stopping never depends on being able to print: with `tools/run.sh | tee run.log`, Ctrl-C kills
# tee too, and a write to the closed pipe would otherwise kill this script (SIGPIPE) or, under
# `set -e`, end it before the services and MariaDB are stopped. So SIGPIPE is ignored, every
# progress message tolerates failure, and the cleanup stops everything before it says anything.
set -euo pipefail
trap '' PIPE

log() { printf '==> run.sh: %s\n' "$*" >&2 2>/dev/null || true; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
run_dir="${COOPLINK_RUN_DIR:-build/run}"
membership_port="${COOPLINK_MEMBERSHIP_PORT:-50051}"
catalog_port="${COOPLINK_CATALOG_PORT:-50052}"
orders_port="${COOPLINK_ORDERS_PORT:-50053}"
income_port="${COOPLINK_INCOME_PORT:-50054}"
mkdir -p "$run_dir"

log "installing dependencies"
tools/install_deps.sh
log "building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target membership catalog orders income cooplink_demo_seed

if [[ ! -f "$run_dir/secrets.env" ]]; then
  log "generating token and PII keys in $run_dir/secrets.env"
  umask 077
  {
    echo "COOPLINK_TOKEN_KEY=$(head -c 32 /dev/urandom | base64)"
    echo "COOPLINK_PII_KEY=$(head -c 32 /dev/urandom | base64)"
  } >"$run_dir/secrets.env"
fi
set -a
# shellcheck disable=SC1091
source "$run_dir/secrets.env"
set +a

unset COOPLINK_DB_HOST COOPLINK_DB_PORT COOPLINK_DB_SOCKET COOPLINK_DB_DIR
db_exports="$(tools/db.sh start "$run_dir/mariadb")"
eval "$db_exports"

pids=()
cleanup() {
  trap - EXIT INT TERM HUP
  set +e
  # Stops first, output last: nothing below may end the script before MariaDB is down.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  tools/db.sh stop "$run_dir/mariadb" >/dev/null 2>&1
  log "stopped"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

log "recreating the demo database"
mariadb --socket="$COOPLINK_DB_SOCKET" -u "$COOPLINK_DB_USER" -p"$COOPLINK_DB_PASSWORD" \
  -e 'DROP DATABASE IF EXISTS cooplink_membership; DROP DATABASE IF EXISTS cooplink_catalog;
      DROP DATABASE IF EXISTS cooplink_orders; DROP DATABASE IF EXISTS cooplink_income'

COOPLINK_DB_NAME=cooplink_membership build/services/membership/membership migrate
admin_token="$(COOPLINK_DB_NAME=cooplink_membership \
  build/services/membership/membership bootstrap-admin "平台管理员" 2>/dev/null)"
# Catalog's service account for its calls to membership (caseloads, members, partners, revocations).
catalog_token="$(COOPLINK_DB_NAME=cooplink_membership \
  build/services/membership/membership bootstrap-admin "catalog service account" 2>/dev/null)"
# Orders' service account for its calls to catalog (reservations) and membership.
orders_token="$(COOPLINK_DB_NAME=cooplink_membership \
  build/services/membership/membership bootstrap-admin "orders service account" 2>/dev/null)"
# Income's service account for its calls to membership (households, caseloads, members) and
# orders (the settlement importer's WatchOrderEvents).
income_token="$(COOPLINK_DB_NAME=cooplink_membership \
  build/services/membership/membership bootstrap-admin "income service account" 2>/dev/null)"
COOPLINK_DB_NAME=cooplink_catalog build/services/catalog/catalog migrate
COOPLINK_DB_NAME=cooplink_orders build/services/orders/orders migrate
COOPLINK_DB_NAME=cooplink_income build/services/income/income migrate
# The 832 platform's county list is administrator data; the demo county is Lancang (530828).
mariadb --socket="$COOPLINK_DB_SOCKET" -u "$COOPLINK_DB_USER" -p"$COOPLINK_DB_PASSWORD" \
  -e "INSERT INTO cooplink_catalog.eligible_832_counties VALUES ('530828', 'demo data')"

# Each service runs in its own session, so Ctrl-C reaches only this script, which then stops the
# services with SIGTERM (they drain in-flight calls and exit 0).
wait_serving() {  # NAME PID
  for _ in $(seq 1 100); do
    if grep -q '"msg":"serving"' "$run_dir/$1.log" 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      cat "$run_dir/$1.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "$1 did not start; see $run_dir/$1.log"
  exit 1
}
COOPLINK_DB_NAME=cooplink_membership setsid build/services/membership/membership \
  --listen="127.0.0.1:${membership_port}" >"$run_dir/membership.log" 2>&1 &
pids+=($!)
wait_serving membership "${pids[-1]}"
COOPLINK_DB_NAME=cooplink_catalog COOPLINK_MEMBERSHIP_TARGET="127.0.0.1:${membership_port}" \
  COOPLINK_MEMBERSHIP_TOKEN="$catalog_token" setsid build/services/catalog/catalog \
  --listen="127.0.0.1:${catalog_port}" >"$run_dir/catalog.log" 2>&1 &
pids+=($!)
wait_serving catalog "${pids[-1]}"
COOPLINK_DB_NAME=cooplink_orders COOPLINK_MEMBERSHIP_TARGET="127.0.0.1:${membership_port}" \
  COOPLINK_CATALOG_TARGET="127.0.0.1:${catalog_port}" COOPLINK_ORDERS_SERVICE_TOKEN="$orders_token" \
  setsid build/services/orders/orders --listen="127.0.0.1:${orders_port}" \
  >"$run_dir/orders.log" 2>&1 &
pids+=($!)
wait_serving orders "${pids[-1]}"
COOPLINK_DB_NAME=cooplink_income COOPLINK_MEMBERSHIP_TARGET="127.0.0.1:${membership_port}" \
  COOPLINK_ORDERS_TARGET="127.0.0.1:${orders_port}" COOPLINK_INCOME_SERVICE_TOKEN="$income_token" \
  setsid build/services/income/income --listen="127.0.0.1:${income_port}" \
  >"$run_dir/income.log" 2>&1 &
pids+=($!)
wait_serving income "${pids[-1]}"

log "loading demo data"
demo="$(build/tools/cooplink_demo_seed --target "127.0.0.1:${membership_port}" \
  --catalog "127.0.0.1:${catalog_port}" --orders "127.0.0.1:${orders_port}" \
  --income "127.0.0.1:${income_port}" --token "$admin_token")"
{
  echo "PLATFORM_ADMIN_TOKEN=$admin_token"
  echo "$demo"
} >"$run_dir/demo.env"
chmod 600 "$run_dir/demo.env"
eval "$demo"

cat <<MSG || true

cooplink is running (Ctrl-C stops everything).

  membership   127.0.0.1:${membership_port}   (gRPC, plaintext, reflection + grpc.health.v1)
  catalog      127.0.0.1:${catalog_port}   (gRPC, plaintext, reflection + grpc.health.v1)
  orders       127.0.0.1:${orders_port}   (gRPC, plaintext, reflection + grpc.health.v1)
  income       127.0.0.1:${income_port}   (gRPC, plaintext, reflection + grpc.health.v1)
  MariaDB      127.0.0.1:${COOPLINK_DB_PORT}   socket ${COOPLINK_DB_SOCKET}
  logs         ${run_dir}/{membership,catalog,orders,income}.log   (one JSON access line per RPC)

Demo: cooperative ${DEMO_COOPERATIVE_ID} (澜沧县惠民镇景迈古茶专业合作社), 5 member households,
social worker 李春梅, partner 832平台, five products (普洱茶, 核桃, 蜂蜜, 野生菌, 刺绣) stocked and
offered to the 832 platform, which sold them: order ${DEMO_ORDER_ID} was packed, shipped,
delivered and completed into settlement ${DEMO_SETTLEMENT_ID}; order ${DEMO_ORDER_TO_PACK_ID}
waits to be packed. Income imported that settlement for household ${DEMO_PRODUCER_HOUSEHOLD_ID}
(扎拉): its summary shows the gain over its baseline; household ${DEMO_AT_RISK_HOUSEHOLD_ID} (娜努) is
below the monitoring line and alert ${DEMO_ALERT_ID} waits for 李春梅. Tokens for every role are in
${run_dir}/demo.env:
  PLATFORM_ADMIN_TOKEN, COOP_ADMIN_TOKEN, SOCIAL_WORKER_TOKEN, MEMBER_TOKEN, PARTNER_TOKEN

Try:
  source ${run_dir}/demo.env
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge --list-methods http://127.0.0.1:${membership_port}
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$COOP_ADMIN_TOKEN" -d '{"cooperative_id":"${DEMO_COOPERATIVE_ID}"}' \\
    http://127.0.0.1:${membership_port}/cooplink.membership.v1.MembershipService/ListMembers
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$PARTNER_TOKEN" -d '{"query":"普洱"}' \\
    http://127.0.0.1:${catalog_port}/cooplink.catalog.v1.CatalogService/SearchProducts
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$COOP_ADMIN_TOKEN" -d '{"state":"FULFILMENT_STATE_TO_PACK"}' \\
    http://127.0.0.1:${orders_port}/cooplink.orders.v1.OrdersService/ListFulfilments
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$MEMBER_TOKEN" -d '{}' \\
    http://127.0.0.1:${orders_port}/cooplink.orders.v1.OrdersService/ListSettlements
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$SOCIAL_WORKER_TOKEN" \\
    -d '{"household_id":"${DEMO_PRODUCER_HOUSEHOLD_ID}","trailing_12_months":true}' \\
    http://127.0.0.1:${income_port}/cooplink.income.v1.IncomeService/GetHouseholdIncomeSummary
  npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge \\
    -H "authorization: Bearer \$SOCIAL_WORKER_TOKEN" -d '{"request_id":"ack-1","alert_id":"${DEMO_ALERT_ID}"}' \\
    http://127.0.0.1:${income_port}/cooplink.income.v1.IncomeService/AcknowledgeAlert

MSG

# Returns when a service exits by itself (or a signal arrives: then the trap runs cleanup).
wait -n "${pids[@]}" || true
log "a service exited unexpectedly; see $run_dir/*.log"
exit 1
