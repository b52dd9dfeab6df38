#!/usr/bin/env bash
# Starts coturn (Debian's turnserver, installed by setup.sh) on the shipped infra/turnserver.conf plus what a
# district does not commit: the shared secret and the addresses of its media servers. infra/README.md, "TURN".
#
#   TURN_SECRET         the CloudSchool server's TURN_SECRET (16 or more of A–Z a–z 0–9 + / = _ . -), or
#   TURN_SECRET_FILE    a file holding it; default: systemd's credential "turn-secret" (LoadCredential=),
#                       else /etc/cloudschool/turn-secret
#   TURN_ALLOWED_PEERS  the addresses coturn may relay to, comma-separated (an address, or first-last): every
#                       node's MEDIA_ANNOUNCED_ADDRESS; default: MEDIA_ANNOUNCED_ADDRESS
#   TURN_RUN_DIR        where the completed configuration and the pid file go (mode 700, rewritten at every
#                       start); default: systemd's RuntimeDirectory=, else /run/cloudschool-turn
#
# Arguments go to turnserver and win over the file (testkit's startTurn: a loopback port, no TLS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() {
  printf 'turn.sh: %s\n' "$*" >&2
  exit 1
}

secret="${TURN_SECRET:-}"
if [ -z "$secret" ]; then
  default_file=/etc/cloudschool/turn-secret
  [ -n "${CREDENTIALS_DIRECTORY:-}" ] && default_file="$CREDENTIALS_DIRECTORY/turn-secret"
  file="${TURN_SECRET_FILE:-$default_file}"
  [ -r "$file" ] || die "no secret: set TURN_SECRET, or put it in $file (TURN_SECRET_FILE)"
  secret="$(<"$file")"
fi
[[ "$secret" =~ ^[A-Za-z0-9+/=_.-]{16,}$ ]] ||
  die "the secret must be 16 or more of A-Z a-z 0-9 + / = _ . - (openssl rand -hex 32 makes one)"

peers="${TURN_ALLOWED_PEERS:-${MEDIA_ANNOUNCED_ADDRESS:-}}"
[ -n "$peers" ] || die "set TURN_ALLOWED_PEERS: the media servers' addresses (MEDIA_ANNOUNCED_ADDRESS of each node)"
allowed=()
IFS=',' read -ra list <<<"$peers"
for p in "${list[@]}"; do
  p="${p//[[:space:]]/}"
  [ -z "$p" ] && continue
  [[ "$p" =~ ^[0-9A-Fa-f.:]+(-[0-9A-Fa-f.:]+)?$ ]] || die "TURN_ALLOWED_PEERS: '$p' is not an IP address or first-last range"
  allowed+=("allowed-peer-ip=$p")
done
((${#allowed[@]})) || die "TURN_ALLOWED_PEERS names no address"

dir="${TURN_RUN_DIR:-${RUNTIME_DIRECTORY:-/run/cloudschool-turn}}"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
conf="$dir/turnserver.conf"
{
  cat "$here/turnserver.conf"
  printf '\n# --- added by infra/turn.sh\nstatic-auth-secret=%s\npidfile=%s\n' "$secret" "$dir/turnserver.pid"
  printf '%s\n' "${allowed[@]}"
} >"$conf.new"
mv "$conf.new" "$conf"
exec "${TURNSERVER_BIN:-/usr/bin/turnserver}" -c "$conf" "$@"
