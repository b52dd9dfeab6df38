#!/usr/bin/env bash
# Puts a working mediasoup-worker binary for mediasoup $1 into the cache and
# prints its path (last line of stdout). Order of attempts:
#   1. the cache ($CLOUDSCHOOL_CACHE/mediasoup-worker-<version>), if it loads;
#   2. mediasoup's prebuilt release tarball (where GitHub is reachable);
#   3. a local build of mediasoup's own worker sources against Debian's
#      libraries: meson finds the small "shim" subprojects in ./shims instead of
#      downloading openssl, libuv, libsrtp3, ... from the internet.
# The cache lives outside node_modules so `npm ci` and fresh clones reuse it.
set -euo pipefail

VERSION="${1:?usage: get-worker.sh <mediasoup version>}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CLOUDSCHOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudschool}"
OUT="$CACHE/mediasoup-worker-$VERSION"
log() { printf '[worker] %s\n' "$*" >&2; }
loads() { [ -x "$1" ] && ! ldd "$1" 2>/dev/null | grep -q 'not found'; }

if loads "$OUT"; then
  log "cached: $OUT"
  echo "$OUT"
  exit 0
fi
mkdir -p "$CACHE"

# --- 2. prebuilt tarball (same name mediasoup's postinstall asks for)
kernel_major="$(uname -r | cut -d. -f1)"
arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
tarball="mediasoup-worker-$VERSION-linux-$arch-kernel$kernel_major.tgz"
url="https://github.com/versatica/mediasoup/releases/download/$VERSION/$tarball"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "${CLOUDSCHOOL_SKIP_PREBUILT:-0}" != 1 ] &&
  curl -fsSL --connect-timeout 10 --max-time 120 "$url" -o "$tmp/w.tgz" 2>/dev/null &&
  tar -xzf "$tmp/w.tgz" -C "$tmp" && loads "$tmp/mediasoup-worker"; then
  install -m 755 "$tmp/mediasoup-worker" "$OUT"
  log "downloaded prebuilt worker: $OUT"
  echo "$OUT"
  exit 0
fi
log "no prebuilt worker reachable; building from source with Debian's libraries (takes ~4 min on 2 cores)"

# --- 3. offline build through mediasoup's own postinstall
command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
python3 -m pip --version >/dev/null 2>&1 || { log "python3-pip is required (the build pip-installs invoke, meson, ninja)"; exit 1; }
BUILD="$CACHE/mediasoup-build"
mkdir -p "$BUILD"
[ -f "$BUILD/package.json" ] || echo '{ "name": "cloudschool-worker-build", "private": true }' >"$BUILD/package.json"
PKG="$BUILD/node_modules/mediasoup"
have="$(node -p "try { require('$PKG/package.json').version } catch { '' }")"
if [ "$have" != "$VERSION" ]; then
  (cd "$BUILD" && npm install --no-audit --no-fund --ignore-scripts --no-save "mediasoup@$VERSION" >&2)
fi
WORKER="$PKG/worker"
for wrap in "$WORKER"/subprojects/*.wrap; do
  name="$(basename "$wrap" .wrap)"
  dir="$(sed -n 's/^directory *= *//p' "$wrap" | tr -d '[:space:]')"
  if [ -d "$HERE/shims/$name" ]; then
    rm -rf "${WORKER:?}/subprojects/$dir"
    cp -r "$HERE/shims/$name" "$WORKER/subprojects/$dir"
  elif [ "$name" != wingetopt ]; then # Windows only
    log "no shim for subproject '$name' of mediasoup $VERSION: infra/mediasoup-worker/shims needs one"
    exit 1
  fi
done

# Debian's OpenSSL is built with kernel TLS. mediasoup's BIO callback answers 1
# to BIO_CB_CTRL|BIO_CB_RETURN, so libssl thinks the memory BIO does kTLS,
# allocates no write buffer and the worker segfaults on the first DTLS
# ServerHello. Return the real result for every *_RETURN callback.
dtls="$WORKER/src/RTC/DtlsTransport.cpp"
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1/' "$dtls"
grep -q '(operationType & BIO_CB_RETURN)' "$dtls" || { log "DTLS patch did not apply to $dtls"; exit 1; }

(
  cd "$BUILD"
  unset MEDIASOUP_WORKER_BIN
  export MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1
  # worker/meson.build needs meson >= 1.1 (Debian has 1.0); these are on the pip mirror.
  export MESON_VERSION=1.12.1 NINJA_VERSION=1.13.2
  export MESON_ARGS=-Dms_disable_liburing=true # io_uring cost more CPU per packet here
  export PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1
  rm -rf "$WORKER/out/Release"
  npm rebuild mediasoup --foreground-scripts >&2
)
built="$WORKER/out/Release/mediasoup-worker"
loads "$built" || { log "build failed: $built missing or not loadable"; exit 1; }
install -m 755 "$built" "$OUT"
rm -rf "$BUILD" # the binary is what we keep; sources are ~300 MB
log "built: $OUT"
echo "$OUT"
