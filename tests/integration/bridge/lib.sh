# tests/integration/bridge/lib.sh: what the bridge's integration tests
# share (POSIX sh; source it after tests/shlib.sh, with S set). Nothing
# here runs on its own.

# br_need TEST PROG...: exit 1 naming the package when one of the programs
# or the mosquitto broker is missing; sets MOSQ, BLUETTI_SIM_DEVICES and D
# (the device images).
br_need() {
    _test=$1
    shift
    for _prog in "$@"; do
        command -v "$_prog" > /dev/null 2>&1 || {
            case $_prog in
            python3) _pkg=python3 ;;
            *) _pkg="mosquitto-clients mosquitto" ;;
            esac
            echo "$_test: needs $_prog (apt-get install $_pkg)" >&2
            exit 1
        }
    done
    bt_find_mosquitto || { echo "$_test: needs mosquitto (apt-get install mosquitto)" >&2; exit 1; }
    BLUETTI_SIM_DEVICES=$S/data/devices
    export BLUETTI_SIM_DEVICES
    D=$S/data/devices
}

# br_pki: a throw-away CA and certificates in $tmp/pki ($pki), their
# password in $BT_MQTT_PASSWORD and in $tmp/cert.pw (0600). fail() must be
# defined.
br_pki() {
    pki=$tmp/pki
    mkdir -p "$pki"
    BT_MQTT_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    export BT_MQTT_PASSWORD
    sh "$S/tests/integration/mqtt/mkcerts.sh" "$pki" || fail "making the test certificates failed"
    chmod 644 "$pki"/*.key "$pki"/*.crt
    printf '%s\n' "$BT_MQTT_PASSWORD" > "$tmp/cert.pw"
    chmod 600 "$tmp/cert.pw"
}
