#!/bin/sh
# A long-running `bluetti-tool --sn SERIAL listen` through a stored login,
# across a broker restart:
#   - fay's tokens live 3 s: the one the listen's first connect got has
#     expired when the broker goes away (the connection keeps its topics,
#     as with the live broker), so the reconnect must log in to the cloud
#     again (a second /accessToken) with a token the broker takes;
#   - alice's token lives for weeks, but the cloud's clock jumps 120 s
#     ahead (SIGUSR1 to bluetti-sim --cloud) before the restart: the
#     reconnect must compute a fresh time-based MQTT password, the one
#     from the first connect is four 30 s steps stale and refused.
# Every round of both listens reads its block, and the broker refuses no
# CONNECT after the restart.
set -u
S=${BLUETTI_TEST_SRCDIR:-.}
. "$S/tests/integration/cloud/harness.sh"
need python3 python3

cloud_init listen
cloud_pki
cloud_start_broker
cloud_write_config "$CT/cloud.json"
cloud_add_account "$CT/cloud.json" '{"email": "fay@example.com", "password": "Fay-pw-6", "uid": "1006",
    "token_ttl": 3,
    "devices": [{"model": "EL30V2", "subSn": "2345000000007",
    "deviceSecret": "dev-secret-7"}]}'
cloud_start_api "$CT/cloud.json"
cloud_tool_env
# fewer rounds under valgrind; every check stays
ROUNDS=10
[ -n "$WRAP" ] && ROUNDS=8

cloud_start_station el100 "$S/data/devices/el100v2.json" 2345000223861 dev-secret-1
cloud_start_station fay "$S/data/devices/el30v2.json" 2345000000007 dev-secret-7

login() { # login NAME EMAIL PASSWORD
    mkdir -p "$CT/$1"
    chmod 700 "$CT/$1"
    # shellcheck disable=SC2086
    XDG_CONFIG_HOME="$CT/$1" $WRAP "$TOOL" --no-config $PLUG login --account "$2" \
        --account-password "$3" --api-url "$API" --cafile "$CA" \
        > "$CT/login-$1.out" 2>&1 </dev/null || fail "login of $2 failed: $(cat "$CT/login-$1.out")"
}
login alice alice@example.com Alice-pw-1
login fay fay@example.com Fay-pw-6

logins() { grep -c 'POST /accessToken' "$CT/api.log"; }
before=$(logins)

# LISTEN_V=-vv shows the transport's connects in $CT/NAME.listen.log (with BT_CLOUD_KEEP=1)
listen() { # listen NAME SERIAL: in the background, $CT/NAME.listen.{out,log}
    # shellcheck disable=SC2086
    XDG_CONFIG_HOME="$CT/$1" $WRAP "$TOOL" ${LISTEN_V:-} --no-config $PLUG --sn "$2" listen --interval 1 \
        --count "$ROUNDS" --blocks 100 > "$CT/$1.listen.out" 2> "$CT/$1.listen.log" </dev/null &
}
listen alice 2345000223861
listen_alice=$!
listen fay 2345000000007
listen_fay=$!

# three rounds each, and fay's first token (issued at the listen's first
# connect) expired: gone from the tokens file
cloud_wait_for "$CT/alice.listen.out" "^--- round 3 " 60 "$listen_alice" ||
    fail "alice's listen did not get to round 3"
cloud_wait_for "$CT/fay.listen.out" "^--- round 3 " 60 "$listen_fay" ||
    fail "fay's listen did not get to round 3"
[ "$(logins)" -gt "$before" ] || fail "fay's listen did not log in at its first connect"
n=0
while grep -q '^[0-9a-f]* [0-9a-f]* fay@example.com' "$CT/tokens"; do
    [ $n -lt 200 ] || fail "fay's token did not expire"
    sleep 0.05
    n=$((n + 1))
done
mid=$(logins)

# the cloud's clock jumps 120 s ahead, the broker sees it in the tokens file
kill -USR1 "$CLOUD_API_PID"
cloud_wait_for "$CT/api.log" "the clock jumped 120 s ahead" 20 "$CLOUD_API_PID" ||
    fail "bluetti-sim --cloud did not move its clock on SIGUSR1"
grep -q '^clock alice@example.com 120000$' "$CT/tokens" ||
    fail "the tokens file does not carry the cloud's new clock: $(grep '^clock' "$CT/tokens")"

# the broker dies and comes back on the same port (a new process: no
# session it accepted before is known to it)
kill -KILL "$CLOUD_MQTT_PID"
wait "$CLOUD_MQTT_PID" 2>/dev/null
"$MOSQ" -c "$CT/mosquitto.conf" > "$CT/broker2.log" 2>&1 &
CLOUD_MQTT_PID=$!
CLOUD_PIDS="$CLOUD_PIDS $CLOUD_MQTT_PID"
cloud_wait_for "$CT/broker2.log" " running" 10 "$CLOUD_MQTT_PID" ||
    fail "mosquitto would not start again on port $CLOUD_MQTT_PORT"

failures=0
bad() {
    failures=$((failures + 1))
    echo "FAIL: $*" >&2
}
for who in alice fay; do
    if [ $who = alice ]; then pid=$listen_alice; else pid=$listen_fay; fi
    wait "$pid"
    st=$?
    [ $st -eq 0 ] || { bad "$who's listen exited with status $st"; sed 's/^/  err| /' "$CT/$who.listen.log" >&2; }
    rounds=$(grep -c '^--- round ' "$CT/$who.listen.out")
    socs=$(grep -c '^  soc ' "$CT/$who.listen.out")
    [ "$rounds" -eq "$ROUNDS" ] || bad "$who's listen printed $rounds rounds, not $ROUNDS"
    [ "$socs" -eq "$ROUNDS" ] || bad "$who's listen read block 100 in $socs of $ROUNDS rounds"
done

# fay's reconnect logged in again (her token had expired)
[ "$(logins)" -gt "$mid" ] ||
    bad "no second /accessToken login after fay's token expired ($(logins) in all, $mid before the restart)"
# both listens came back with credentials the new broker took at once: a
# reused (stale) TOTP or the expired token would be refused here
conns=$(grep -c "u'tid:" "$CT/broker2.log")
[ "$conns" -ge 2 ] || bad "the restarted broker saw $conns tid: connections, not 2"
if grep -q 'bluetti-auth: refused' "$CT/broker2.log"; then
    bad "the restarted broker refused a CONNECT: $(grep 'bluetti-auth: refused' "$CT/broker2.log")"
fi

cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud"
[ "$failures" -eq 0 ] || fail "$failures check(s) failed"
exit 0
