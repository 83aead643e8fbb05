#!/usr/bin/env bash
# A private MariaDB server for development and tests (no systemd, no root password).
#
# Usage: tools/db.sh start|stop|status|env [DIR]
#   DIR defaults to $COOPLINK_DB_DIR, else <repo>/build/mariadb.
#
#   start   create DIR/data on first use (mariadb-install-db), start mariadbd in the
#           background (it outlives this script), wait until it answers, create the
#           app user cooplink/cooplink-dev (@localhost and @127.0.0.1, ALL ON *.*),
#           write DIR/env and print `export K=V` lines on stdout.
#           A no-op (that still prints the exports) when the server already runs.
#           TCP port: $COOPLINK_DB_PORT if set (must be free), else the port used
#           last time for DIR if still free, else a random free one.
#   stop    SIGTERM the server and wait up to 30 s for it to exit (no-op if stopped);
#           if it is still alive then, SIGKILL it and exit 1.
#   status  say whether it runs; exit 0 when running, 3 when stopped.
#   env     print `export K=V` lines for a running server: eval "$(tools/db.sh env)"
#
# Variables written to DIR/env and printed by start/env: COOPLINK_DB_HOST,
# COOPLINK_DB_PORT, COOPLINK_DB_SOCKET, COOPLINK_DB_USER, COOPLINK_DB_PASSWORD,
# COOPLINK_DB_PID_FILE, COOPLINK_DB_DIR.
# Progress messages go to stderr, so stdout carries only the exports.
set -euo pipefail

readonly DB_USER=cooplink
readonly DB_PASSWORD=cooplink-dev
readonly DB_HOST=127.0.0.1
readonly WAIT_SECONDS=30

log() { printf 'db.sh: %s\n' "$*" >&2; }
die() { printf 'db.sh: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s start|stop|status|env [DIR]\n' "$0" >&2
  exit 2
}

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"

(($# >= 1 && $# <= 2)) || usage
cmd="$1"
case "$cmd" in start | stop | status | env) ;; *) usage ;; esac

db_dir="${2:-${COOPLINK_DB_DIR:-$repo_root/build/mariadb}}"
[[ -n "$db_dir" ]] || die "empty DIR"
if [[ "$cmd" == start ]]; then
  mkdir -p "$db_dir"
elif [[ ! -d "$db_dir" ]]; then
  # Nothing was ever started here.
  case "$cmd" in
    stop) log "not running (no $db_dir)"; exit 0 ;;
    status) log "stopped (no $db_dir)"; exit 3 ;;
    env) die "no server in $db_dir; run: tools/db.sh start $db_dir" ;;
  esac
fi
db_dir="$(cd "$db_dir" && pwd -P)"

data_dir="$db_dir/data"
pid_file="$db_dir/mysqld.pid"
log_file="$db_dir/error.log"
env_file="$db_dir/env"
socket="$db_dir/mysqld.sock"
# A Unix socket path is limited to 107 bytes; fall back to a short per-DIR path.
if ((${#socket} > 100)); then
  socket="${TMPDIR:-/tmp}/cooplink-db-$(printf '%s' "$db_dir" | md5sum | cut -c1-12).sock"
fi

# True while process $1 exists and is not a zombie (an exited child that PID 1 has
# not reaped yet still answers kill -0).
is_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null || true)"
  [[ -n "$stat" ]] || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# Pid of the server running from this DIR, or nothing (stale pid files are ignored).
server_pid() {
  local pid
  [[ -s "$pid_file" ]] || return 0
  pid="$(tr -dc '0-9' <"$pid_file")"
  [[ -n "$pid" ]] || return 0
  if is_alive "$pid" && [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == mariadbd ]]; then
    printf '%s\n' "$pid"
  fi
}

# Value of KEY in DIR/env (plain KEY=VALUE lines), or nothing.
env_value() {
  local key value
  [[ -f "$env_file" ]] || return 0
  while IFS='=' read -r key value; do
    if [[ "$key" == "$1" ]]; then
      printf '%s\n' "$value"
      return 0
    fi
  done <"$env_file"
}

print_exports() {
  local key value
  [[ -f "$env_file" ]] || die "$env_file is missing"
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^COOPLINK_DB_[A-Z_]+$ ]] || continue
    printf 'export %s=%q\n' "$key" "$value"
  done <"$env_file"
}

port_in_use() {
  # Something accepts connections there (bash's /dev/tcp; no extra tools needed).
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_free_port() {
  local port _
  for _ in $(seq 1 100); do
    # Below Linux's ephemeral range (32768+) so outgoing connections cannot take it.
    port=$((20000 + RANDOM % 12000))
    port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
  done
  die "no free TCP port found"
}

root_sql() {
  mariadb --no-defaults --protocol=socket --socket="$socket" -u root --batch --skip-column-names "$@"
}

init_data_dir() {
  if [[ -d "$data_dir/mysql" ]]; then
    return 0
  fi
  # Initialisation goes to data.init and is renamed when complete, so a data/ without
  # mysql/ did not come from this script: leave it alone.
  [[ ! -e "$data_dir" ]] ||
    die "$data_dir exists but is no MariaDB data directory (no mysql/); move it away or pick another DIR"
  local tmp="$db_dir/data.init"
  rm -rf "$tmp"
  log "initialising $data_dir (mariadb-install-db)"
  # --force only skips the script's resolveip check of `uname -n`/localhost, which
  # fails where /etc/hosts is missing (bare chroots); the grant tables are the same.
  if ! mariadb-install-db --no-defaults --datadir="$tmp" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db --force \
    >"$db_dir/install-db.log" 2>&1; then
    tail -n 20 "$db_dir/install-db.log" >&2 || true
    die "mariadb-install-db failed (full log: $db_dir/install-db.log)"
  fi
  mv "$tmp" "$data_dir"
}

# Starts mariadbd on $1; returns 0 once it answers, 1 if it could not bind the
# port (caller may retry another), dies on any other failure.
launch() {
  local port="$1" pid i log_offset
  log_offset=$(($(stat -c %s "$log_file" 2>/dev/null || echo 0) + 1))
  rm -f "$pid_file" "$socket"
  # setsid + nohup: own session, immune to the caller's hangup; all fds detached so
  # $(tools/db.sh start) does not hang and the lock (fd 9) is not inherited.
  setsid nohup mariadbd --no-defaults \
    --datadir="$data_dir" \
    --bind-address="$DB_HOST" --port="$port" \
    --socket="$socket" --pid-file="$pid_file" --log-error="$log_file" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=256M --max-connections=500 \
    --user="$(id -un)" \
    </dev/null >>"$db_dir/mariadbd.out" 2>&1 9>&- &
  pid=$!
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if mariadb-admin --no-defaults --protocol=socket --socket="$socket" -u root \
      --connect-timeout=2 ping >/dev/null 2>&1; then
      return 0
    fi
    if ! is_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      if tail -c "+$log_offset" "$log_file" 2>/dev/null | grep -qi 'bind on tcp/ip port\|address already in use'; then
        return 1
      fi
      log "mariadbd exited during startup; tail of $log_file:"
      tail -n 30 "$log_file" >&2 || true
      die "mariadbd failed to start"
    fi
    sleep 0.1
  done
  log "mariadbd did not answer within ${WAIT_SECONDS}s; tail of $log_file:"
  tail -n 30 "$log_file" >&2 || true
  kill -TERM "$pid" 2>/dev/null || true
  die "mariadbd start timed out"
}

create_app_user() {
  local host
  for host in localhost "$DB_HOST"; do
    root_sql -e "CREATE USER IF NOT EXISTS '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASSWORD';
      ALTER USER '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASSWORD';
      GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'$host';" ||
      die "could not create user '$DB_USER'@'$host'"
  done
}

write_env_file() {
  local tmp="$env_file.tmp"
  {
    printf 'COOPLINK_DB_HOST=%s\n' "$DB_HOST"
    printf 'COOPLINK_DB_PORT=%s\n' "$1"
    printf 'COOPLINK_DB_SOCKET=%s\n' "$socket"
    printf 'COOPLINK_DB_USER=%s\n' "$DB_USER"
    printf 'COOPLINK_DB_PASSWORD=%s\n' "$DB_PASSWORD"
    printf 'COOPLINK_DB_PID_FILE=%s\n' "$pid_file"
    printf 'COOPLINK_DB_DIR=%s\n' "$db_dir"
  } >"$tmp"
  mv "$tmp" "$env_file"
}

do_start() {
  local pid port attempt
  # Serialise concurrent start/stop on the same DIR.
  exec 9>"$db_dir/.lock"
  flock -w 120 9 || die "timed out waiting for the lock on $db_dir"

  pid="$(server_pid)"
  if [[ -n "$pid" ]]; then
    log "already running (pid $pid, port $(env_value COOPLINK_DB_PORT), dir $db_dir)"
    print_exports
    return 0
  fi

  command -v mariadbd >/dev/null 2>&1 || die "mariadbd not found; run tools/install_deps.sh"
  init_data_dir

  for attempt in 1 2 3 4 5; do
    if [[ -n "${COOPLINK_DB_PORT:-}" ]]; then
      port="$COOPLINK_DB_PORT"
      [[ "$port" =~ ^[0-9]+$ ]] || die "COOPLINK_DB_PORT='$port' is not a port number"
      ! port_in_use "$port" || die "COOPLINK_DB_PORT=$port is already in use"
    else
      port="$(env_value COOPLINK_DB_PORT)"
      if ((attempt > 1)) || [[ ! "$port" =~ ^[0-9]+$ ]] || port_in_use "$port"; then
        port="$(random_free_port)"
      fi
    fi
    log "starting mariadbd on $DB_HOST:$port (dir $db_dir)"
    if launch "$port"; then
      break
    fi
    [[ -z "${COOPLINK_DB_PORT:-}" && $attempt -lt 5 ]] || die "port $port is taken (see $log_file)"
    log "port $port was taken meanwhile; trying another"
  done

  create_app_user
  write_env_file "$port"
  log "ready: pid $(server_pid), port $port, socket $socket, user $DB_USER"
  print_exports
}

do_stop() {
  local pid i
  exec 9>"$db_dir/.lock"
  flock -w 120 9 || die "timed out waiting for the lock on $db_dir"
  pid="$(server_pid)"
  if [[ -z "$pid" ]]; then
    log "not running (dir $db_dir)"
    return 0
  fi
  log "stopping mariadbd (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if ! is_alive "$pid"; then
      log "stopped"
      return 0
    fi
    sleep 0.1
  done
  log "mariadbd (pid $pid) still running after ${WAIT_SECONDS}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  exit 1
}

do_status() {
  local pid
  pid="$(server_pid)"
  if [[ -n "$pid" ]]; then
    log "running: pid $pid, port $(env_value COOPLINK_DB_PORT), socket $(env_value COOPLINK_DB_SOCKET), dir $db_dir"
    return 0
  fi
  log "stopped (dir $db_dir)"
  exit 3
}

do_env() {
  [[ -n "$(server_pid)" ]] || die "not running in $db_dir; run: tools/db.sh start $db_dir"
  print_exports
}

"do_$cmd"
