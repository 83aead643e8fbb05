#!/usr/bin/env bash
# Install the Debian 12 packages needed to build and test cooplink.
#
# Usage: tools/install_deps.sh
#
# Idempotent and quick: when every package is already installed it only asks
# dpkg-query (no apt-get update, no network). Otherwise it runs apt-get update
# once and installs just the missing packages (as root, or through sudo).
# nodejs/npm are skipped when `node` and `npm` are already on PATH (e.g. a
# NodeSource or nvm install), so a newer Node is never replaced.
set -euo pipefail

log() { printf 'install_deps: %s\n' "$*"; }
die() { printf 'install_deps: ERROR: %s\n' "$*" >&2; exit 1; }

packages=(
  cmake g++ make pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libmysqlcppconn-dev mariadb-server mariadb-client
  libssl-dev grpc-proto golang-github-gogo-googleapis-dev
  ca-certificates clang-format
)

# Node.js: keep any node/npm already on PATH; otherwise take Debian's.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  log "node $(node --version) and npm already on PATH; not installing Debian nodejs/npm"
elif command -v node >/dev/null 2>&1; then
  packages+=(npm)
else
  packages+=(nodejs npm)
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script targets Debian 12"
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}) and not root (no sudo either)"
  sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=300)

log "missing ${#missing[@]} package(s): ${missing[*]}"
log "running apt-get update"
"${sudo[@]}" apt-get "${apt_opts[@]}" update
# --no-install-recommends is safe here: mariadb-server only recommends optional
# compression-provider plugins, pv and libhtml-template-perl; npm only git/node-tap.
log "running apt-get install --no-install-recommends"
"${sudo[@]}" apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
((${#still_missing[@]} == 0)) || die "still not installed after apt-get: ${still_missing[*]}"
log "installed ${#missing[@]} package(s); all ${#packages[@]} present"
