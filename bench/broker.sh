# bench/broker.sh: sourced by bench/run.sh and bench/compare.sh (POSIX sh).
# Needs $tmp (a private directory with pki/ made by tests/mqtt/mkcerts.sh)
# and $MOSQ (the broker binary) and a function stop PID; starts a TLS
# mosquitto on a free loopback port (client certificates required,
# set_tcp_nodelay true), sets $broker (its pid) and $port; fails after ten
# ports.

wait_for() { # file pattern seconds pid
    n=0
    while [ $n -lt $(($3 * 20)) ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || return 1
        sleep 0.05
        n=$((n + 1))
    done
    return 1
}
bench_start_broker() {
    try=0
    while [ $try -lt 10 ] && [ -z "$broker" ]; do
        try=$((try + 1))
        port=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
        cat > "$tmp/mosquitto.conf" <<EOC
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
listener $port 127.0.0.1
cafile $tmp/pki/ca.crt
certfile $tmp/pki/server.crt
keyfile $tmp/pki/server.key
require_certificate true
use_identity_as_username true
set_tcp_nodelay true
EOC
        chmod 644 "$tmp/mosquitto.conf"
        "$MOSQ" -c "$tmp/mosquitto.conf" > "$tmp/broker.log" 2>&1 &
        broker=$!
        if ! wait_for "$tmp/broker.log" " running" 10 $broker; then
            stop "$broker"
            broker=
        fi
    done
    [ -n "$broker" ]
}
