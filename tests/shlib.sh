# tests/shlib.sh: what the shell tests and bench scripts share (POSIX sh;
# source it). Nothing here runs on its own.

# bt_wait_for FILE PATTERN SECONDS PID: wait until FILE holds PATTERN while
# process PID lives; 0 when it does, 1 when PID died or time ran out.
bt_wait_for() {
    _n=0
    _limit=$(($3 * 20))
    while [ $_n -lt $_limit ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || return 1
        sleep 0.05
        _n=$((_n + 1))
    done
    return 1
}

# bt_fail_logs PREFIX DIR LINES MESSAGE...: say what failed, show the last
# LINES lines of every DIR/*.log, and exit 1.
bt_fail_logs() {
    _prefix=$1
    _dir=$2
    _lines=$3
    shift 3
    echo "$_prefix: $*" >&2
    for _f in "$_dir"/*.log; do
        [ -f "$_f" ] || continue
        echo "---- $_f (last lines)" >&2
        tail -n "$_lines" "$_f" >&2
    done
    exit 1
}

# bt_start_broker MOSQ CONF LOG WRITER: start mosquitto with config file
# CONF (written by the shell function WRITER, called with a random base
# port from 20000 to 49999), logging to LOG. No fixed port: it tries ten
# base ports. Sets bt_broker (the pid, empty on failure) and bt_port.
bt_start_broker() {
    _try=0
    bt_broker=
    while [ $_try -lt 10 ] && [ -z "$bt_broker" ]; do
        _try=$((_try + 1))
        bt_port=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
        "$4" "$bt_port"
        chmod 644 "$2"
        "$1" -c "$2" > "$3" 2>&1 &
        bt_broker=$!
        if ! bt_wait_for "$3" " running" 10 $bt_broker; then
            kill -KILL $bt_broker 2>/dev/null
            wait $bt_broker 2>/dev/null
            bt_broker=
        fi
    done
    [ -n "$bt_broker" ]
}

# bt_find_mosquitto: set MOSQ to $MOSQUITTO_BROKER when that is a program,
# else to the mosquitto on PATH or in /usr/sbin; 1 when there is none.
bt_find_mosquitto() {
    MOSQ=${MOSQUITTO_BROKER:-}
    [ -n "$MOSQ" ] && [ -x "$MOSQ" ] && return 0
    MOSQ=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)
    [ -x "$MOSQ" ]
}

# bt_mosquitto NAME: bt_find_mosquitto, and without a broker say so for the
# test NAME and exit 1.
bt_mosquitto() {
    bt_find_mosquitto && return 0
    echo "$1: needs Debian's mosquitto broker (apt-get install mosquitto)" >&2
    exit 1
}

# bt_stop PID...: SIGTERM, up to 10 s for them to end (valgrind'ed
# processes are slow to finish), then SIGKILL for what is left.
bt_stop() {
    for _p in "$@"; do kill -TERM "$_p" 2>/dev/null; done
    _n=0
    while [ $_n -lt 100 ]; do
        _alive=
        for _p in "$@"; do kill -0 "$_p" 2>/dev/null && _alive=1; done
        [ -z "$_alive" ] && break
        sleep 0.1
        _n=$((_n + 1))
    done
    for _p in "$@"; do kill -KILL "$_p" 2>/dev/null; done
    return 0
}

# bt_sim_ends PREFIX PID LOG: stop the bluetti-sim PID (a child of this
# shell) with SIGTERM; 0 when it exits cleanly, else 1 after showing the
# last lines of its LOG.
bt_sim_ends() {
    kill -TERM "$2" 2>/dev/null
    wait "$2"
    _st=$?
    [ $_st -eq 0 ] && return 0
    echo "$1: bluetti-sim (pid $2) exited with status $_st after SIGTERM" >&2
    tail -n 30 "$3" >&2
    return 1
}

# bt_broker_conf PKI: the head of a test broker's mosquitto.conf on
# standard output: no persistence, everything logged to stderr.
# bt_tls_listener PORT PKI: a loopback TLS listener on PORT with PKI's
# ca.crt, server.crt and server.key that requires client certificates.
bt_broker_conf() {
    printf 'per_listener_settings true\npersistence false\nlog_dest stderr\nlog_type all\n'
}
bt_tls_listener() {
    printf 'listener %s 127.0.0.1\ncafile %s/ca.crt\ncertfile %s/server.crt\n' "$1" "$2" "$2"
    printf 'keyfile %s/server.key\nrequire_certificate true\n' "$2"
}

# bt_start_broker4 MOSQ CONF LOG WRITER4: bt_start_broker for a config with
# four listeners on consecutive ports: WRITER4 is called with the base port
# and the three after it.
bt_start_broker4() {
    _bt_writer4=$4
    bt_start_broker "$1" "$2" "$3" _bt_write4
}
_bt_write4() { "$_bt_writer4" "$1" $(($1 + 1)) $(($1 + 2)) $(($1 + 3)); }

# bt_start_sim NAME DIR PORT P12 ARGS...: bluetti-sim of this build (under
# $BLUETTI_TEST_WRAPPER) on the broker at localhost:PORT with client
# certificate P12 (password $BT_MQTT_PASSWORD), ready file DIR/NAME.ready,
# log DIR/sim-NAME.log, ARGS for the devices. Its pid goes into $sim_NAME
# and is added to $sims. It runs in the background: bt_wait_for its ready file.
bt_start_sim() {
    _name=$1
    _dir=$2
    _port=$3
    _p12=$4
    shift 4
    # shellcheck disable=SC2086 # the wrapper is a command line
    BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD ${BLUETTI_TEST_WRAPPER:-} \
        "${BLUETTI_TEST_BUILDDIR:-.}/tools/bluetti-sim" --broker localhost --port "$_port" \
        --cert "$_p12" --ready-file "$_dir/$_name.ready" "$@" > "$_dir/sim-$_name.log" 2>&1 &
    sims="${sims:-} $!"
    eval "sim_$_name=\$!"
}

# bt_wait_after FILE MARK PATTERN SECONDS PID: like bt_wait_for, for lines
# of FILE after line MARK only.
bt_wait_after() {
    _n=0
    while [ $_n -lt $(($4 * 10)) ]; do
        tail -n "+$(($2 + 1))" "$1" 2>/dev/null | grep -q -- "$3" && return 0
        kill -0 "$5" 2>/dev/null || return 1
        sleep 0.1
        _n=$((_n + 1))
    done
    return 1
}

# bt_scratch NAME KEEP: make the directory $tmp (mode 755) and, at exit,
# stop the processes in $pids (bt_stop) and remove $tmp, or keep it and say
# so when KEEP is not empty. Sets pids= and the EXIT, INT and TERM traps.
bt_scratch() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
    chmod 755 "$tmp"
    pids=
    _bt_scratch_name=$1
    _bt_scratch_keep=$2
    trap bt_scratch_end EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
bt_scratch_end() {
    trap - EXIT INT TERM
    # shellcheck disable=SC2086
    bt_stop $pids
    if [ -n "$_bt_scratch_keep" ]; then echo "$_bt_scratch_name: kept $tmp"; else rm -rf "$tmp"; fi
}
