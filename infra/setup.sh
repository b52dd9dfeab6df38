#!/usr/bin/env bash
# Idempotent set-up of a Debian/Ubuntu machine for CloudSchool: system
# packages, a mediasoup worker (cached by version outside node_modules), and
# the npm workspaces. A second run on the same machine takes seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
T0=$(date +%s)
log() { printf '[setup] %s\n' "$*" >&2; }

# --- 1. system packages: worker build deps, Redis, coturn (TURN relay), Caddy (HTTPS proxy), openssl (local CA),
# Chromium for e2e (libnss3-tools: its certificate store, for the HTTPS test), CJK fonts for projector pages,
# LibreOffice Impress (PowerPoint courseware → PDF; started per conversion, no service),
# ffmpeg (lesson recording: one process per recording, fed RTP by the SFU; ffprobe in tests)
APT_PKGS=(build-essential pkg-config python3 python3-pip curl ca-certificates openssl
  libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
  redis-server coturn caddy chromium libnss3-tools fonts-noto-cjk libreoffice-impress ffmpeg)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing ${missing[*]}"
  # Debian's coturn package enables and starts coturn.service on /etc/turnserver.conf, which has no
  # authentication: an open relay. CloudSchool starts coturn itself (tests: testkit's startTurn; districts:
  # infra/turnserver.conf, infra/README.md), so mask the unit before the package can start it. Only on
  # the install: a machine whose admin unmasked it later keeps it. (Without systemd, the package's init
  # script stays off unless TURNSERVER_ENABLED=1 in /etc/default/coturn.)
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl mask --quiet coturn.service
  fi
  # Likewise Debian's caddy package enables and starts caddy.service (its welcome page on port 80, and port 80
  # taken): CloudSchool's HTTPS proxy is infra/https.sh, run as a unit of the district's (infra/deployment.md).
  if [[ " ${missing[*]} " == *" caddy "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl mask --quiet caddy.service
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null && command -v npm >/dev/null || { log "Node.js >= 20 with npm is required"; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || { log "Node.js >= 20 is required (found $(node --version))"; exit 1; }

# --- 2. mediasoup worker, cached by version
MS_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/mediasoup'].version")"
WORKER="$(bash infra/mediasoup-worker/get-worker.sh "$MS_VERSION" | tail -n 1)"

# --- 3. npm workspaces (node@24 comes with them); skipped when the lockfile has not changed
STAMP=node_modules/.cloudschool-setup
want="$(sha256sum package-lock.json | cut -d' ' -f1) $MS_VERSION"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  log "npm ci"
  # With MEDIASOUP_WORKER_BIN set, mediasoup's postinstall neither downloads nor builds.
  MEDIASOUP_WORKER_BIN="$WORKER" npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$STAMP"
fi
# mediasoup spawns worker/out/Release/mediasoup-worker unless told otherwise: put the cached one there.
DEST=node_modules/mediasoup/worker/out/Release/mediasoup-worker
if ! cmp -s "$WORKER" "$DEST"; then
  mkdir -p "$(dirname "$DEST")"
  install -m 755 "$WORKER" "$DEST"
fi

log "ready in $(($(date +%s) - T0)) s (Node $(npx --no-install node --version), mediasoup $MS_VERSION)"
