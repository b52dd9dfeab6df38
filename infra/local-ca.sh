#!/usr/bin/env bash
# A district's own certificate authority for a closed LAN, and the CloudSchool server's certificate from it
# (openssl). The classroom PCs trust the CA once (infra/deployment.md, "A closed LAN"); the server gets
# HTTPS with the certificate: TLS_CERT and TLS_KEY of `npm start`, or Caddy's HTTPS_TLS=files.
#
#   bash infra/local-ca.sh NAME_OR_IP...     e.g.  bash infra/local-ca.sh cloudschool.lan 10.0.0.5
#
# Every name and address the classroom PCs will type goes in the certificate: give them all.
#
#   CA_DIR      the CA: ca.key (its private key) and ca.crt (what the PCs trust); default /etc/cloudschool/ca.
#               Whoever has ca.key can make certificates every PC that trusts the CA believes, for any site:
#               once the server's certificate is made, move ca.key off the server (bring it back to renew).
#   TLS_DIR     the server's files: server.key and server.crt (its certificate, then the CA's); default
#               /etc/cloudschool/tls. Never the same directory as CA_DIR.
#   TLS_OWNER   user[:group] to own the server's files (the service's user), when run as root; optional.
#   CA_NAME     the CA's name, as the PCs' certificate lists show it; default "CloudSchool LAN CA (<host>)".
#   SERVER_DAYS how long the server's certificate is valid; default 825 (the most some systems accept).
#
# Idempotent: the CA is made once (kept for 10 years). The server's certificate is made again only when it
# is missing, names other names than these, is not from this CA, does not match its key, or ends within 30
# days: run it again (a monthly timer will do) and `npm start` picks up a new one by itself. Every file is
# mode 600 and every directory 700 (umask 077); it prints the CA's fingerprints, to check on a PC.
set -euo pipefail
die() {
  printf 'local-ca.sh: %s\n' "$*" >&2
  exit 1
}
say() { printf 'local-ca.sh: %s\n' "$*" >&2; }
umask 077
export LC_ALL=C
command -v openssl >/dev/null || die "openssl is needed (apt-get install openssl)"

(($#)) || die "usage: local-ca.sh NAME_OR_IP... (every name and LAN address classroom PCs use for the server)"
ca_dir="${CA_DIR:-/etc/cloudschool/ca}"
tls_dir="${TLS_DIR:-/etc/cloudschool/tls}"
days="${SERVER_DAYS:-825}"
[[ "$days" =~ ^[0-9]+$ ]] && ((days >= 31 && days <= 825)) || die "SERVER_DAYS: 31 … 825"
# Their parents stay open to other users (/etc/cloudschool: the service's user must reach its TLS_DIR).
(umask 022 && mkdir -p "$(dirname "$ca_dir")" "$(dirname "$tls_dir")")
mkdir -p "$ca_dir" "$tls_dir"
chmod 700 "$ca_dir" "$tls_dir"
if [ -n "${TLS_OWNER:-}" ]; then chown "$TLS_OWNER" "$tls_dir"; fi
[ "$(cd "$ca_dir" && pwd -P)" != "$(cd "$tls_dir" && pwd -P)" ] ||
  die "CA_DIR and TLS_DIR must differ: the CA's key is kept apart from the server's files"

# --- the subjectAltName: DNS names and IP addresses, as openssl prints them (sorted, to compare)
sans=()
for name in "$@"; do
  if [[ "$name" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
    IFS=. read -ra octets <<<"$name"
    for o in "${octets[@]}"; do ((10#$o <= 255)) || die "'$name' is not an IPv4 address"; done
    sans+=("IP Address:$name")
  elif [[ "$name" =~ ^[0-9A-Fa-f:]+$ && "$name" == *:* ]]; then
    sans+=("IP Address:$name")
  elif [[ "$name" =~ ^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$ ]]; then
    sans+=("DNS:${name,,}")
  else
    die "'$name' is neither a host name nor an IP address"
  fi
done
want="$(printf '%s\n' "${sans[@]}" | sort -u | paste -sd, -)"
# openssl's config syntax: IP:… rather than "IP Address:…".
ext_san="$(printf '%s\n' "${sans[@]}" | sort -u | sed 's/^IP Address:/IP:/' | paste -sd, -)"
# IPv6 as openssl prints it (upper case, every group) cannot be compared with what was typed: such a
# certificate is made again on every run. Harmless (the server reloads it), and rare on a school LAN.

ca_key="$ca_dir/ca.key"
ca_crt="$ca_dir/ca.crt"
key="$tls_dir/server.key"
crt="$tls_dir/server.crt"

# --- 1. the CA, once
if [ ! -s "$ca_crt" ]; then
  [ ! -e "$ca_key" ] || die "$ca_key exists without $ca_crt: restore ca.crt, or move ca.key away to start a new CA"
  ca_name="${CA_NAME:-CloudSchool LAN CA ($(hostname -s 2>/dev/null || hostname))}"
  say "making the CA \"$ca_name\" in $ca_dir"
  openssl req -x509 -new -newkey rsa:3072 -sha256 -nodes -days 3650 \
    -keyout "$ca_key.new" -out "$ca_crt.new" -subj "/O=CloudSchool/CN=$ca_name" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  mv "$ca_key.new" "$ca_key"
  mv "$ca_crt.new" "$ca_crt"
fi

# --- 2. the server's certificate, when the one there will not do
current_ok() {
  [ -s "$crt" ] && [ -s "$key" ] || return 1
  openssl verify -CAfile "$ca_crt" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend $((30 * 86400)) >/dev/null || return 1
  [ "$(openssl x509 -in "$crt" -noout -pubkey)" = "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ] || return 1
  local have
  have="$(openssl x509 -in "$crt" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' |
    sed 's/^[[:space:]]*//' | sort -u | paste -sd, -)"
  [ "$have" = "$want" ]
}

if current_ok; then
  say "$crt is up to date (${want})"
else
  [ -s "$ca_key" ] || die "the certificate must be made again, and the CA's key is not here: put it back in $ca_key"
  say "making the server's certificate for ${want}"
  work="$(mktemp -d "$tls_dir/.new.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=$ext_san" \
    "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid:always" >"$work/ext"
  openssl req -new -newkey rsa:2048 -sha256 -nodes -keyout "$work/server.key" -out "$work/server.csr" \
    -subj "/CN=$1" 2>/dev/null
  # A random positive serial: every certificate of this CA is told apart.
  openssl x509 -req -in "$work/server.csr" -CA "$ca_crt" -CAkey "$ca_key" -sha256 -days "$days" \
    -set_serial "0x7$(openssl rand -hex 15)" -extfile "$work/ext" -out "$work/leaf.crt" 2>/dev/null
  cat "$work/leaf.crt" "$ca_crt" >"$work/server.crt"
  if [ -n "${TLS_OWNER:-}" ]; then chown "$TLS_OWNER" "$work/server.key" "$work/server.crt"; fi
  # The key first, the certificate last: a server watching the files reads the pair once both are there.
  mv "$work/server.key" "$key"
  mv "$work/server.crt" "$crt"
fi

printf '%s\n' \
  "CA certificate (install on the classroom PCs): $ca_crt" \
  "  SHA-1   $(openssl x509 -in "$ca_crt" -noout -fingerprint -sha1 | cut -d= -f2)" \
  "  SHA-256 $(openssl x509 -in "$ca_crt" -noout -fingerprint -sha256 | cut -d= -f2)" \
  "server: TLS_CERT=$crt TLS_KEY=$key (valid until $(openssl x509 -in "$crt" -noout -enddate | cut -d= -f2))"
