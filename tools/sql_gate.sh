#!/usr/bin/env bash
# The offline SQL gate: every statement the services can run must parse in the MySQL dialect and
# use nothing MySQL 8 or TiDB cannot run; MariaDB-only syntax (RETURNING, CREATE OR REPLACE TABLE,
# ALTER … ADD COLUMN IF NOT EXISTS, …) fails it. Checked: the migration files, the runtime's own
# migrations, the SQL constants of services/ (preprocessed, so macro-built ones too), and, with
# --capture-dir, every text the servers prepared during a test run (tools/test.sh sets
# COOPLINK_SQL_CAPTURE_DIR for ctest, see services/common/sql_capture.h). Known parser gaps and
# accepted findings are in tools/sqlgate/allowlist.json, each with its reason.
#
# Usage: tools/sql_gate.sh [--capture-dir DIR] [--verbose] [--self-test] [--help]
#        tools/sql_gate.sh --install      (only install the pinned parser)
# Exit: 0 pass, 1 a failure (one line per failure: file:line, constant, [rule], statement, reason),
#       2 a usage or setup error.
# Needs Node.js, a C++ preprocessor (c++ or $CXX) and, once, the npm registry: the parser
# (node-sql-parser, exact version in tools/sqlgate/package-lock.json) is installed with `npm ci`
# into tools/sqlgate/node_modules (git-ignored) and reinstalled when the lock file changes.
set -euo pipefail
gate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/sqlgate" && pwd)"
stamp="$gate_dir/node_modules/.cooplink-lock.sha256"
want="$(sha256sum "$gate_dir/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "sql_gate.sh: installing the pinned SQL parser (npm ci)" >&2
  (cd "$gate_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
fi
if [[ "${1:-}" == "--install" ]]; then exit 0; fi
# Paths given as arguments are relative to the caller's directory.
exec node "$gate_dir/sql_gate.js" "$@"
