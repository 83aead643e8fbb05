#!/usr/bin/env bash
# Lints every proto under protos/ with buf's default (STANDARD) rules, minus the
# two exceptions configured in buf.yaml. Exits non-zero on any lint error.
# Needs Node.js/npx and access to the npm registry (buf is fetched by npx).
set -euo pipefail
BUF_VERSION="1.75.0"
cd "$(dirname "$0")/.."
exec npx --yes "@bufbuild/buf@${BUF_VERSION}" lint "$@"
