#!/usr/bin/env bash
# Build cooplink and run its whole test suite against a private MariaDB.
#
# Usage: tools/test.sh            (from any directory; CI runs it via .ci/run)
#
#   1. tools/install_deps.sh                  (quick when all packages are present)
#   2. cmake configure (build/, RelWithDebInfo, reused) + build with $(nproc) jobs
#   3. tools/lint_protos.sh                   (if present)
#      tools/check_format.sh                  (clang-format, .clang-format; fails on a difference)
#      tools/sql_gate.sh --install            (the SQL gate's pinned parser, npm ci when needed)
#   4. tools/db.sh start build/mariadb-test   (stopped again on exit, even on failure)
#   5. ctest --test-dir build --output-on-failure -j2 --no-tests=error --timeout 600 [-L LABELS]
#      with COOPLINK_SQL_CAPTURE_DIR=build/sql-capture: every server records the SQL texts it runs
#   6. tools/check_dump.sh                    (if present; only after ctest passed, DB still up)
#   7. tools/sql_gate.sh --capture-dir build/sql-capture   (migrations, SQL constants and the
#      captured run-time shapes parse as MySQL, nothing MySQL 8 or TiDB cannot run; always runs)
#
# Environment:
#   COOPLINK_TEST_LABELS   ctest -L label regex (default: none = every test, labelled or not)
#   COOPLINK_CTEST_ARGS    extra ctest arguments replacing the -L selection, e.g.
#                          COOPLINK_CTEST_ARGS='-R Membership -E Slow'
#   COOPLINK_TEST_TIMEOUT  per-test timeout in s for tests without their own (default 600)
#   COOPLINK_TEST_DB_PORT  pin the test server's TCP port (default: a free one)
# COOPLINK_DB_* variables inherited from a dev shell are ignored: the tests get the
# test server's values.
# Exit status: ctest's, or check_dump.sh's when ctest passed, or the SQL gate's when both passed;
# 1 for earlier failures.
set -euo pipefail

log() { printf '==> test.sh: %s\n' "$*"; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
start_time=$SECONDS
db_dir=build/mariadb-test
db_started=0
step="startup"

# On any early exit (a failed step, a signal): stop the test server, say where it failed.
# shellcheck disable=SC2317  # invoked through the EXIT trap
on_exit() {
  local rc=$?
  if ((db_started)); then tools/db.sh stop "$db_dir" || true; fi
  log "summary: FAILED during ${step} (exit ${rc}); $((SECONDS - start_time))s"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step="dependency install"
log "installing dependencies"
tools/install_deps.sh

step="cmake configure"
log "configuring (build/, RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
step="build"
log "building with $(nproc) jobs"
cmake --build build -j"$(nproc)"

if [[ -f tools/lint_protos.sh ]]; then
  step="proto lint"
  log "linting protos"
  bash tools/lint_protos.sh
fi

if [[ -f tools/check_format.sh ]]; then
  step="format check"
  log "checking C++ formatting (.clang-format)"
  bash tools/check_format.sh
fi

step="sql gate install"
log "installing the SQL gate's parser (tools/sql_gate.sh --install)"
tools/sql_gate.sh --install

# Start the test database with a clean slate of COOPLINK_DB_* (a developer's shell may
# carry the dev server's, whose port is taken), then export the test server's values.
unset COOPLINK_DB_HOST COOPLINK_DB_PORT COOPLINK_DB_SOCKET COOPLINK_DB_USER \
  COOPLINK_DB_PASSWORD COOPLINK_DB_PID_FILE COOPLINK_DB_DIR
step="test database start"
log "starting test MariaDB in $db_dir"
db_started=1
db_exports="$(COOPLINK_DB_PORT="${COOPLINK_TEST_DB_PORT:-}" tools/db.sh start "$db_dir")"
eval "$db_exports"
log "test MariaDB on $COOPLINK_DB_HOST:$COOPLINK_DB_PORT (socket $COOPLINK_DB_SOCKET)"

# Note: `ctest -L .` would skip every test that has no label, so without
# COOPLINK_TEST_LABELS no -L is passed at all (= every test).
selection=()
if [[ -n "${COOPLINK_CTEST_ARGS:-}" ]]; then
  read -r -a selection <<<"$COOPLINK_CTEST_ARGS"
elif [[ -n "${COOPLINK_TEST_LABELS:-}" ]]; then
  selection=(-L "$COOPLINK_TEST_LABELS")
fi
ctest_cmd=(ctest --test-dir build --output-on-failure -j2 --no-tests=error
  --timeout "${COOPLINK_TEST_TIMEOUT:-600}" "${selection[@]}")
# Each test process appends the SQL texts it prepares to build/sql-capture (sql_capture.h).
capture_dir=build/sql-capture
rm -rf "$capture_dir"
mkdir -p "$capture_dir"
export COOPLINK_SQL_CAPTURE_DIR="$repo_root/$capture_dir"
step="ctest"
log "running: ${ctest_cmd[*]}"
if "${ctest_cmd[@]}"; then ctest_rc=0; else ctest_rc=$?; fi

dump_result="not run"
rc=$ctest_rc
if ((ctest_rc == 0)) && [[ -f tools/check_dump.sh ]]; then
  step="check_dump"
  log "checking database dumps for plaintext personal data"
  if bash tools/check_dump.sh; then dump_result="ok"; else rc=$?; dump_result="FAILED (exit $rc)"; fi
elif [[ ! -f tools/check_dump.sh ]]; then
  dump_result="absent"
fi

step="test database stop"
tools/db.sh stop "$db_dir" || true
db_started=0

step="sql gate"
log "checking every SQL statement for MySQL 8 and TiDB (tools/sql_gate.sh)"
if tools/sql_gate.sh --capture-dir "$capture_dir"; then gate_result="ok"; else
  gate_rc=$?
  gate_result="FAILED (exit $gate_rc)"
  if ((rc == 0)); then rc=$gate_rc; fi
fi
trap - EXIT

if ((ctest_rc == 0)); then ctest_result="ok"; else ctest_result="FAILED (exit $ctest_rc)"; fi
log "summary: ctest ${ctest_result}; check_dump ${dump_result}; sql gate ${gate_result}; $((SECONDS - start_time))s; exit ${rc}"
exit "$rc"
