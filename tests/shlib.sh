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

# bt_stop PID...: SIGTERM, up to 10 s for them to end, then SIGKILL.
bt_stop() {
    for _p in "$@"; do kill -TERM "$_p" 2>/dev/null; done
    _n=0
    while [ $_n -lt 100 ]; do
        _alive=
        for _p in "$@"; do kill -0 "$_p" 2>/dev/null && _alive=1; done
        [ -z "$_alive" ] && return 0
        sleep 0.1
        _n=$((_n + 1))
    done
    for _p in "$@"; do kill -KILL "$_p" 2>/dev/null; done
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
