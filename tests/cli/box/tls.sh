#!/bin/bash
# SPDX-License-Identifier: MIT
# TLS: a certificate that does not verify is refused, naming the URL and --insecure; with
# --insecure the box is added.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "skip: openssl is needed to make a certificate"; exit 77; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1 || fail "cannot make a certificate"
mkbox good "$WWW/t.box"
python3 "$ROVE_SRC/tests/http/server.py" --root "$WWW" --port-file "$T/port" \
    --log "$T/server.log" --tls "$T/cert.pem" "$T/key.pem" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
URL="https://127.0.0.1:$(cat "$T/port")"
run_expect "self-signed" 1 box add "$URL/t.box"
expect_err "cannot download $URL/t.box: the server's TLS certificate does not verify"
expect_err "--insecure"
expect_store
run_expect "insecure" 0 box add "$URL/t.box" --insecure
expect_store "t 0 libvirt"
pass "TLS verified by default; --insecure skips it"

# A redirect from https down to plain http is not followed (not even within the host).
start_extra_server plain "$WWW"
curl -kfsS "$URL/_fault?path=/r.box&kind=redirect&to=$EXTRA_URL/t.box" >/dev/null
run_expect "downgrade" 1 box add "$URL/r.box" --insecure --name r
expect_err "a redirect from https to plain http is refused (to $EXTRA_URL/t.box)"
[ ! -s "$T/plain.log" ] || fail "the plain http server was asked: $(cat "$T/plain.log")"
expect_store "t 0 libvirt"
pass "https -> http redirects refused"
