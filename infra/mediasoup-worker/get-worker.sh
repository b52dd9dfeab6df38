#!/usr/bin/env bash
# Puts a working mediasoup-worker binary for mediasoup $1 into the cache and
# prints its path (last line of stdout):
#   1. the cache ($CLOUDSCHOOL_CACHE/mediasoup-worker-<version>-<recipe>), if it
#      loads; <recipe> is this script's hash, so a changed patch builds again;
#   2. else a local build of mediasoup's own worker sources, two lines patched
#      (below), against Debian's libraries: meson finds the small "shim"
#      subprojects in ./shims instead of downloading openssl, libuv, libsrtp3,
#      ... from the internet. mediasoup's prebuilt releases are not used: they
#      lack the key frame patch, and a district's worker must be the one tested.
# The cache lives outside node_modules so `npm ci` and fresh clones reuse it.
set -euo pipefail

VERSION="${1:?usage: get-worker.sh <mediasoup version>}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CLOUDSCHOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudschool}"
OUT="$CACHE/mediasoup-worker-$VERSION-$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
log() { printf '[worker] %s\n' "$*" >&2; }
loads() { [ -x "$1" ] && ! ldd "$1" 2>/dev/null | grep -q 'not found'; }

if loads "$OUT"; then
  log "cached: $OUT"
  echo "$OUT"
  exit 0
fi
mkdir -p "$CACHE"

log "building the worker from source with Debian's libraries (takes ~4 min on 2 cores)"

# --- 2. offline build through mediasoup's own postinstall
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

# A pipe consumer asked for a key frame of one stream (a classroom's simulcast
# layer, by the forwarding worker's pipe producer) asks the host for a key frame
# on every stream: each join and each layer switch made the host encode 720p,
# 360p and 180p key frames at once, and the 180p one a joining classroom waits
# for queued behind the 720p one in the host's pacer. Ask for the stream asked.
pipe="$WORKER/src/RTC/PipeConsumer.cpp"
perl -0pi -e 's/(rtpStream->ReceiveKeyFrameRequest\(messageType\);\s*)if \(IsActive\(\)\)\s*\{\s*RequestKeyFrame\(\);\s*\}/$1if (IsActive() \&\& this->kind == RTC::Media::Kind::VIDEO)\n\t\t{\n\t\t\t\/\/ cloudschool: only the stream asked for.\n\t\t\tfor (const auto\& [mappedSsrc, consumerSsrc] : this->mapMappedSsrcSsrc)\n\t\t\t{\n\t\t\t\tif (consumerSsrc == ssrc)\n\t\t\t\t\tthis->listener->OnConsumerKeyFrameRequested(this, mappedSsrc);\n\t\t\t}\n\t\t}/s' "$pipe"
grep -q 'cloudschool: only the stream asked for' "$pipe" || { log "key frame patch did not apply to $pipe"; exit 1; }

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
