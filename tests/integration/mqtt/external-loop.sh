# Sourced by tests/integration/mqtt/run.sh once tests/integration/mqtt/test_mqtt has run; uses its
# broker ($broker, $tmp/mosquitto.conf), simulators, wait_for and fail.
#
# examples/external-loop drives two sessions (two devices, one of them
# without a model: detected on the first read) from its own poll() loop,
# calling bluetti_session_process(s, 0) only when a session's descriptor is
# readable or its timeout has expired. The broker is killed and started
# again on the same port: the reads fail as connection errors while it is
# away, and carry on by themselves once it is back.

el_log=$tmp/external-loop.log
el_sn1=1000000001
el_sn2=1000000002

# el_count_ok MARK SERIAL: successful reads of SERIAL after line MARK
el_count_ok() {
    tail -n "+$(($1 + 1))" "$el_log" | grep -c "^$2 read 100 ok "
}

# el_wait_reads MARK N SECONDS: both devices read N times after line MARK
el_wait_reads() {
    n=0
    while [ $n -lt $(($3 * 10)) ]; do
        if [ "$(el_count_ok "$1" $el_sn1)" -ge "$2" ] && [ "$(el_count_ok "$1" $el_sn2)" -ge "$2" ]; then
            return 0
        fi
        kill -0 "$el" 2>/dev/null || return 1
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD $WRAP "$B/examples/external-loop" \
    --plugin-dir "$B/plugins/.libs" --sessions 2 --interval 200 \
    -o broker=localhost -o "port=$BT_MQTT_PORT" -o "cert=$pki/client.p12" -o keepalive=5 \
    mqtt "$el_sn1=EL100V2" "$el_sn2" > "$el_log" 2> "$tmp/external-loop-stderr.log" &
el=$!
echo "$el" >> "$tmp/pids"

el_wait_reads 0 2 60 || fail "external-loop: no reads from both devices (see external-loop.log)"
grep -q "^$el_sn2 read 100 ok EL30V2$" "$el_log" ||
    fail "external-loop: the model of $el_sn2 was not detected as EL30V2"

# the broker dies under the loop
kill -KILL "$broker" 2>/dev/null
wait "$broker" 2>/dev/null
broker=
mark=$(wc -l < "$el_log")
n=0
while ! tail -n "+$((mark + 1))" "$el_log" | grep -q " read 100 failed connection: "; do
    [ $n -lt 300 ] || fail "external-loop: no read failed as a connection error while the broker was away"
    kill -0 "$el" 2>/dev/null || fail "external-loop died while the broker was away"
    sleep 0.1
    n=$((n + 1))
done

# ... and comes back on the same port
"$MOSQ" -c "$tmp/mosquitto.conf" > "$tmp/broker-restarted.log" 2>&1 &
broker=$!
wait_for "$tmp/broker-restarted.log" " running" 10 "$broker" ||
    fail "mosquitto would not start again on port $BT_MQTT_PORT (see broker-restarted.log)"
mark=$(wc -l < "$el_log")
el_wait_reads "$mark" 2 60 ||
    fail "external-loop: reads did not continue after the broker restart (see external-loop.log)"

kill -TERM "$el"
wait "$el"
el_status=$?
[ $el_status -eq 0 ] || fail "external-loop exited with status $el_status after SIGTERM"
grep -q "^external-loop: 2 devices on 2 sessions: [0-9]* reads ok" "$el_log" ||
    fail "external-loop printed no summary"
echo "run.sh: external-loop: reads went on after the broker restart ($(tail -n 1 "$el_log"))"

# bluetti-tool without --model: the device names its model (block 100), and
# the groups read are that model's
out=$(cd "$tmp/work" && HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" \
    BLUETTI_CERT_PASSWORD=$BT_MQTT_PASSWORD $WRAP "$B/tools/bluetti-tool" --no-plugin-search \
    --plugin-dir "$B/plugins/.libs" --broker localhost --port "$BT_MQTT_PORT" \
    --cert "$pki/client.p12" --sn $el_sn2 read --blocks 100 2>&1)
st=$?
[ $st -eq 0 ] || fail "bluetti-tool read without --model failed ($st): $out"
printf '%s\n' "$out" | grep -q '^  device_model  *EL30V2' ||
    fail "bluetti-tool read without --model did not decode the EL30V2's block 100: $out"
echo "run.sh: bluetti-tool found the model of $el_sn2 by itself"

# the simulators lived through the restart as well (run.sh stops them next)
for name in clean delay crc exc disc; do
    eval "pid=\$sim_$name"
    kill -0 "$pid" 2>/dev/null || fail "bluetti-sim ($name) died during the broker restart"
done
