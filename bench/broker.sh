# bench/broker.sh: sourced by bench/run.sh and bench/compare.sh (POSIX sh).
# Needs $S (the source tree), $tmp (a private directory with pki/ made by
# tests/integration/mqtt/mkcerts.sh) and $MOSQ (the broker binary); starts a TLS
# mosquitto on a free loopback port (client certificates required,
# set_tcp_nodelay true), sets $broker (its pid) and $port; fails after ten
# ports.
. "$S/tests/shlib.sh"

wait_for() { bt_wait_for "$@"; }

bench_broker_conf() {
    cat > "$tmp/mosquitto.conf" <<EOC
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
listener $1 127.0.0.1
cafile $tmp/pki/ca.crt
certfile $tmp/pki/server.crt
keyfile $tmp/pki/server.key
require_certificate true
use_identity_as_username true
set_tcp_nodelay true
EOC
}

bench_start_broker() {
    bt_start_broker "$MOSQ" "$tmp/mosquitto.conf" "$tmp/broker.log" bench_broker_conf || return 1
    broker=$bt_broker
    port=$bt_port
}
