#!/usr/bin/env bash
# Caddy in front of `npm start`: HTTPS (and WSS) for every page, on infra/caddy/Caddyfile. Runs in the
# foreground: a unit of its own (infra/deployment.md, "HTTPS"); never Debian's caddy.service (setup.sh
# masks it).
#
#   SITE_ADDRESS    required: the names and LAN addresses the classroom PCs use, comma-separated
#                   (cloudschool.district.cn, or cloudschool.lan,10.0.0.5)
#   HTTPS_TLS       where the certificate comes from: acme (a public name; the default for one),
#                   internal (Caddy's own CA, for a closed LAN; the default for an address or a .lan name),
#                   or files (CADDY_TLS_CERT and CADDY_TLS_KEY, e.g. from infra/local-ca.sh)
#   CADDY_TLS_CERT, CADDY_TLS_KEY   with files: the certificate (full chain) and key, readable by Caddy
#   UPSTREAM        where `npm start` listens; default 127.0.0.1:3000 (its HOST and PORT); the nodes of a
#                   cluster comma-separated (10.0.0.11:3000,10.0.0.12:3000)
#   LB_POLICY       which node a new connection goes to: least_conn (default), round_robin, first (the first
#                   that answers, in UPSTREAM's order: a standby), random
#   HTTPS_PORT      default 443; HTTP_PORT default 80 (it only redirects to HTTPS, and answers ACME)
#   XDG_DATA_HOME   Caddy keeps certificates and its CA in $XDG_DATA_HOME/caddy; default ~/.local/share
#
# Arguments go to `caddy run` (e.g. --watch). With --check it only validates the configuration.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() {
  printf 'https.sh: %s\n' "$*" >&2
  exit 1
}
caddy="${CADDY_BIN:-$(command -v caddy || true)}"
[ -n "$caddy" ] && [ -x "$caddy" ] || die "caddy is not installed: bash infra/setup.sh"

site="${SITE_ADDRESS:-}"
site="${site//[[:space:]]/}"
[ -n "$site" ] || die "set SITE_ADDRESS: the names and LAN addresses classroom PCs use (cloudschool.lan,10.0.0.5)"
IFS=',' read -ra list <<<"$site"
names=()
for n in "${list[@]}"; do [ -z "$n" ] || names+=("$n"); done
((${#names[@]})) || die "SITE_ADDRESS names nothing"
local_only=1
name_re='^[][A-Za-z0-9.:*-]+$'
for n in "${names[@]}"; do
  [[ "$n" =~ $name_re ]] || die "SITE_ADDRESS: '$n' is not a host name or an address"
  # Names no public CA will certify: addresses, localhost, and the private suffixes.
  [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* || "$n" == localhost || "$n" =~ \.(lan|local|internal|home\.arpa|localhost|test)$ ]] ||
    local_only=0
done
mode="${HTTPS_TLS:-$( ((local_only)) && echo internal || echo acme)}"
case "$mode" in
  acme) ((local_only == 0)) || die "HTTPS_TLS=acme: no public CA certifies $site; use internal or files" ;;
  internal) ;;
  files)
    for v in CADDY_TLS_CERT CADDY_TLS_KEY; do
      [ -r "${!v:-}" ] || die "HTTPS_TLS=files: $v must name a file Caddy can read"
    done
    ;;
  *) die "HTTPS_TLS: acme, internal or files (not '$mode')" ;;
esac
upstream="${UPSTREAM:-127.0.0.1:3000}"
upstream="${upstream//[[:space:]]/}"
upstream_re='^[][A-Za-z0-9.:-]+:[0-9]+$'
IFS=',' read -ra upstreams <<<"$upstream"
((${#upstreams[@]})) || die "UPSTREAM names nothing"
for u in "${upstreams[@]}"; do
  [[ "$u" =~ $upstream_re ]] || die "UPSTREAM: host:port of npm start, comma-separated for several (not '$u')"
done
lb_policy="${LB_POLICY:-least_conn}"
case "$lb_policy" in
  least_conn | round_robin | first | random) ;;
  *) die "LB_POLICY: least_conn, round_robin, first or random (not '$lb_policy')" ;;
esac
for v in HTTPS_PORT HTTP_PORT; do
  [[ "${!v:-1}" =~ ^[0-9]+$ ]] || die "$v: a port number"
done

# Caddy separates a site's addresses with ", ".
addresses="$(printf '%s, ' "${names[@]}")"
export SITE_ADDRESS="${addresses%, }" HTTPS_TLS="$mode" UPSTREAM="${upstreams[*]}" LB_POLICY="$lb_policy"
export CADDY_HTTPS_PORT="${HTTPS_PORT:-443}" CADDY_HTTP_PORT="${HTTP_PORT:-80}"
export CADDY_TLS_CERT="${CADDY_TLS_CERT:-}" CADDY_TLS_KEY="${CADDY_TLS_KEY:-}"
config="$here/caddy/Caddyfile"
if [ "${1:-}" = --check ]; then
  exec "$caddy" validate --config "$config" --adapter caddyfile
fi
printf 'https.sh: https://%s (%s certificate) → http://%s\n' "${names[0]}" "$mode" "$upstream" >&2
exec "$caddy" run --config "$config" --adapter caddyfile "$@"
