#!/usr/bin/env bash
# Dumps every cooplink database on the test server and fails if it finds a resident ID or a
# mainland mobile number in plain text. Run by tools/test.sh after the tests, while the test
# MariaDB is still up (it reads the COOPLINK_DB_* variables that tools/db.sh exported).
#
# A plain value is a run of exactly 18 ID characters (17 digits + digit/X, with a real-looking
# birth date) or 11 digits starting 1[3-9], not embedded in a longer alphanumeric run: ciphertext
# (base64url), keyed hashes (hex) and masked values ("5308**********011X", "138****5678") never
# match.
set -euo pipefail

: "${COOPLINK_DB_SOCKET:?run after tools/db.sh start (COOPLINK_DB_SOCKET unset)}"
dump="$(mktemp)"
trap 'rm -f "$dump"' EXIT

databases=$(mariadb --socket="$COOPLINK_DB_SOCKET" -u "${COOPLINK_DB_USER:-cooplink}" \
  -p"${COOPLINK_DB_PASSWORD:-cooplink-dev}" -N -e "SHOW DATABASES" |
  grep -Ev '^(information_schema|performance_schema|mysql|sys)$' || true)
if [[ -z "$databases" ]]; then
  echo "check_dump: no cooplink databases to check" >&2
  exit 1
fi
# shellcheck disable=SC2086  # one argument per database
mariadb-dump --socket="$COOPLINK_DB_SOCKET" -u "${COOPLINK_DB_USER:-cooplink}" \
  -p"${COOPLINK_DB_PASSWORD:-cooplink-dev}" --skip-extended-insert --databases $databases >"$dump"

members=$(grep -c 'INSERT INTO `members`' "$dump" || true)
if ((members == 0)); then
  echo "check_dump: the dump holds no member rows; nothing meaningful was checked" >&2
  exit 1
fi

boundary='(^|[^0-9A-Za-z_*-])'
end='([^0-9A-Za-z_*-]|$)'
id_pattern="${boundary}[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]${end}"
phone_pattern="${boundary}1[3-9][0-9]{9}${end}"
found=0
if grep -Eq "$id_pattern" "$dump"; then
  echo "check_dump: FOUND a plain-text resident ID in the database dump (lines hidden)" >&2
  grep -Enc "$id_pattern" "$dump" >&2 || true
  found=1
fi
if grep -Eq "$phone_pattern" "$dump"; then
  echo "check_dump: FOUND a plain-text phone number in the database dump (lines hidden)" >&2
  grep -Enc "$phone_pattern" "$dump" >&2 || true
  found=1
fi
if ((found)); then exit 1; fi
echo "check_dump: OK: $(wc -l <"$dump") dump lines from $(echo "$databases" | wc -l) databases," \
  "${members} member rows, no plain-text resident ID or phone number"
