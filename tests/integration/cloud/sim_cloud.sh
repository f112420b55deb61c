#!/bin/sh
# The simulated Bluetti cloud end to end: bluetti-sim --cloud driven with
# curl (login, user id, device list, server time with the encrypted bundle
# password, the bundle download, token expiry, garbage), then Debian's
# mosquitto with tests/integration/cloud/auth_plugin.so driven with mosquitto_pub and
# mosquitto_sub (TOTP, rmt: secrets, device credentials, expired tokens,
# a taken session, topic limits). Expected values come from totp_tool,
# i.e. from libbluetti-cloud. Conventions: docs/protocol/cloud.md.
set -u
BLUETTI_TEST_BUILDDIR=${BLUETTI_TEST_BUILDDIR:-.}
. "${BLUETTI_TEST_SRCDIR:-.}/tests/integration/cloud/harness.sh"

need curl curl
need mosquitto_pub mosquitto-clients
need mosquitto_sub mosquitto-clients
cloud_init cloud
failures=0
ok() { echo "ok: $*"; }
bad() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# ---- command-line and config mistakes (no server needed) --------------------
# clicheck STATUS PATTERN ARGS...
clicheck() {
    want=$1
    pat=$2
    shift 2
    out=$($WRAP "$B/tools/bluetti-sim" "$@" 2>&1 < /dev/null)
    st=$?
    if [ "$st" -eq "$want" ] && printf '%s\n' "$out" | grep -q -e "$pat"; then
        ok "bluetti-sim $* -> $st"
    else
        bad "bluetti-sim $*: status $st (wanted $want), output: $out"
    fi
}
cloud_pki
P=$CT/pki
clicheck 2 'needs --cloud-cert and --cloud-key' --cloud x.json
clicheck 2 'plays the cloud only' --cloud x.json --cloud-cert a --cloud-key b --device d.json
clicheck 2 'go with --cloud CONFIG' --device d.json --cert c.p12 --cloud-port 5
clicheck 2 '--cloud-port 70000: expected a port number' --cloud x.json --cloud-port 70000
clicheck 2 '--mqtt-password needs --mqtt-username' --device d.json --cert c.p12 --mqtt-password x
clicheck 1 'cannot read the cloud config /nonexistent/c.json' --cloud /nonexistent/c.json \
    --cloud-cert "$P/cloud.crt" --cloud-key "$P/cloud.key"
printf '{"accounts": [' > "$CT/broken.json"
clicheck 1 'cannot read the cloud config' --cloud "$CT/broken.json" --cloud-cert "$P/cloud.crt" \
    --cloud-key "$P/cloud.key"
printf '{"iot_server":"127.0.0.1:1","tokens_file":"t","accounts":[{"uid":"1","password":"p","pfx":"%s","pfx_password":"x"}]}' \
    "$P/client.p12" > "$CT/noemail.json"
clicheck 1 'accounts\[0\]: "email" is missing' --cloud "$CT/noemail.json" \
    --cloud-cert "$P/cloud.crt" --cloud-key "$P/cloud.key"
printf '{"iot_server":"127.0.0.1:1","tokens_file":"t","accounts":[{"email":"a","uid":"1","password_sha256":"abc","pfx":"%s","pfx_password":"x"}]}' \
    "$P/client.p12" > "$CT/badhash.json"
clicheck 1 'must be 64 uppercase hex digits' --cloud "$CT/badhash.json" \
    --cloud-cert "$P/cloud.crt" --cloud-key "$P/cloud.key"
printf '{"iot_server":"127.0.0.1:1","tokens_file":"t","accounts":[{"email":"a","uid":"1","password":"p","pfx":"/nonexistent.p12","pfx_password":"x"}]}' \
    > "$CT/nopfx.json"
clicheck 1 'cannot read the PKCS#12 file /nonexistent.p12' --cloud "$CT/nopfx.json" \
    --cloud-cert "$P/cloud.crt" --cloud-key "$P/cloud.key"
printf '{"iot_server":"127.0.0.1:1","tokens_file":"%s/t","accounts":[{"email":"a","uid":"1","password":"p","pfx":"%s","pfx_password":"x"}]}' \
    "$CT" "$P/client.p12" > "$CT/min.json"
clicheck 1 "cloud's key" --cloud "$CT/min.json" --cloud-cert "$P/cloud.crt" --cloud-key "$P/broker.key"
clicheck 1 "cloud's certificate /nonexistent.crt" --cloud "$CT/min.json" \
    --cloud-cert /nonexistent.crt --cloud-key "$P/cloud.key"

# ---- start the broker and the cloud -------------------------------------------
cloud_start_broker
cloud_write_config "$CT/cloud.json"
cloud_start_api "$CT/cloud.json"
URL=https://127.0.0.1:$CLOUD_API_PORT
echo "sim_cloud: API on $URL, broker on 127.0.0.1:$CLOUD_MQTT_PORT, files in $CT"
APPKEY=1783AF460D4D0615365940C9D3A
APPVER=3.0.6
OS=android
DEVID=31feaed2758467a7472d7d1d6212d0ea

# api ARGS...: curl into $CT/body and $CT/hdr; $code = the JSON code
api() {
    : > "$CT/body"
    : > "$CT/hdr"
    curl -sS --noproxy 127.0.0.1 --max-time 20 --cacert "$P/ca.crt" -D "$CT/hdr" -o "$CT/body" \
        -w '%{http_code}' "$@" > "$CT/status" 2> "$CT/curl.err"
    http=$(cat "$CT/status")
    code=$(sed -n 's/^{"code":\(-\{0,1\}[0-9]*\),.*/\1/p' "$CT/body")
}
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$CT/body"; }
# expect WHAT HTTP CODE: the last api call answered HTTP status HTTP with JSON code CODE
expect() {
    if [ "$http" = "$2" ] && [ "$code" = "$3" ]; then ok "$1 (HTTP $2, code $3)"
    else bad "$1: HTTP $http code '$code' (wanted $2 / $3): $(head -c 300 "$CT/body")"; fi
}
login() { # EMAIL PASSWORD [passOpen]
    h=$("$TOTP" hash "$2")
    po=${3-$("$TOTP" passopen "$2")}
    api "$URL/accessToken" -H "x-app-key: $APPKEY" -H "x-os: $OS" \
        --data-urlencode "username=$1" --data "password=$h" --data-urlencode "passOpen=$po" \
        --data "encryptedpwd=&authType=&phoneCountry=&verifyCode=&country="
}
authed() { # TOKEN ARGS...
    t=$1
    shift
    api -H "Authorization: $t" -H "x-app-key: $APPKEY" -H "x-app-ver: $APPVER" -H "x-os: $OS" \
        -H "x-os-ver: 31332E30" -H "x-device-id: $DEVID" -H "Accept-Language: en-US" "$@"
}

# ---- login ----------------------------------------------------------------------
login alice@example.com Alice-pw-1
expect "login alice" 200 0
ALICE=$(field token)
case $ALICE in
*.*.*) ok "the token has three parts" ;;
*) bad "token '$ALICE' is not part0.sid.sig" ;;
esac
[ -n "$(field refresh)" ] && ok "a refresh token" || bad "no refresh token: $(cat "$CT/body")"
grep -q '"ttl":2678400' "$CT/body" && ok "ttl 2678400 s" || bad "ttl: $(cat "$CT/body")"
ASID=$("$TOTP" sid "$ALICE")
A0=$("$TOTP" part0 "$ALICE")
grep -q "^$A0 $ASID alice@example.com conn-secret-ac300\$" "$CT/tokens" &&
    ok "the tokens file lists alice's token" || bad "tokens file: $(cat "$CT/tokens")"
perm=$(stat -c %a "$CT/tokens")
[ "$perm" = 644 ] && ok "tokens file mode 644" || bad "tokens file mode $perm"
grep -q "Alice-pw-1\|$ALICE\|$BT_CLOUD_PFX_PASSWORD" "$CT/api.log" &&
    bad "the sim logged a secret" || ok "no secret in the sim's log"

login nobody@example.com Whatever-1
expect "unknown account" 200 20003006
login alice@example.com Wrong-pw
expect "wrong password" 200 20003015
login alice@example.com Alice-pw-1 "00ff00ff00ff00ff00ff00ff00ff00ff"
expect "right password, wrong passOpen" 200 20003015
login alice@example.com Alice-pw-1 ""
expect "right password, empty passOpen" 200 20003015
api "$URL/accessToken" --data "username=alice%40example.com&password=$("$TOTP" hash Alice-pw-1 | tr A-F a-f)&passOpen=$("$TOTP" passopen Alice-pw-1)"
expect "lowercase password hash" 200 20003015
login bob@example.com Bob-pw-2 ""
expect "login bob (only the SHA-256 configured: passOpen unchecked)" 200 0
api "$URL/accessToken" --data "username=alice%40example.com&password=%ZZ"
expect "bad %-escape in the form" 400 400
api "$URL/accessToken" --data "password=x"
expect "no username" 400 400

# ---- user id and device list -------------------------------------------------
authed "$ALICE" "$URL/api/bluuc/uc/v1/basic/get"
expect "basic/get" 200 0
[ "$(field uid)" = 1001 ] && ok "uid 1001" || bad "uid: $(cat "$CT/body")"
authed "" "$URL/api/bluuc/uc/v1/basic/get"
expect "basic/get without a token" 200 805
authed "$A0.$ASID.0000" "$URL/api/bluuc/uc/v1/basic/get"
expect "basic/get with a forged token" 200 805
authed "$ALICE" "$URL/api/blusmartprod/device/group/v1/homeDevices"
expect "homeDevices" 200 0
for want in '"groupName":"Home","deviceList":\[{"sn":"EL100V22345000223861","model":"EL100V2","subSn":"2345000223861","factoryProtocolVer":"2001","sessionState":"Online","iotPayloadVer":"1.2"}\]' \
        '"sn":"AC3002237000112233","model":"AC300","subSn":"2237000112233","factoryProtocolVer":"1000","sessionState":"Offline","iotPayloadVer":"1.0","iotConnSecret":"conn-secret-ac300"'; do
    grep -q "$want" "$CT/body" && ok "homeDevices holds $want" || bad "homeDevices lacks $want: $(cat "$CT/body")"
done
grep -q 'deviceSecret\|dev-secret' "$CT/body" && bad "homeDevices shows a device secret" ||
    ok "homeDevices shows no device secret"
authed "$ALICE" -X POST "$URL/api/blusmartprod/device/group/v1/homeDevices"
expect "homeDevices with POST" 405 405
authed "$ALICE" "$URL/api/no/such/thing"
expect "unknown endpoint" 404 404

# ---- server time and the bundle password ----------------------------------------
# utc_time TOKEN: sets $ms and $xsig
utc_time() {
    authed "$1" "$URL/api/midppkic/cert/app/v2/now/utc-time"
    ms=$(sed -n 's/.*"data":"\([0-9]*\)".*/\1/p' "$CT/body")
    xsig=$(tr -d '\r' < "$CT/hdr" | sed -n 's/^[Xx]-[Ss]ignature: //p')
}
before=$("$TOTP" now-ms)
utc_time "$ALICE"
after=$("$TOTP" now-ms)
expect "utc-time" 200 0
if [ -n "$ms" ] && [ "$ms" -ge "$before" ] && [ "$ms" -le "$after" ]; then ok "server time $ms is now, as a string"
else bad "server time '$ms' not within [$before, $after]: $(cat "$CT/body")"; fi
sign=$("$TOTP" sign "$ms" /api/midppkic/cert/app/v2/now/utc-time $APPKEY $APPVER $OS "$ASID")
pw=$("$TOTP" aes-dec "$sign" "$xsig")
[ "$pw" = "$BT_CLOUD_PFX_PASSWORD" ] && ok "X-Signature decrypts to the bundle password" ||
    bad "X-Signature '$xsig' decrypts to '$pw'"
# the same with openssl's own AES-256-ECB: the key is the sign's 32 ASCII bytes
kx=$(printf '%s' "$sign" | od -An -tx1 | tr -d ' \n')
pw2=$(printf '%s' "$xsig" | sed 's/../\\x&/g' | xargs -0 printf '%b' |
      "$OPENSSL_BIN" enc -d -aes-256-ecb -K "$kx" 2>/dev/null)
[ "$pw2" = "$BT_CLOUD_PFX_PASSWORD" ] && ok "openssl enc -aes-256-ecb agrees" ||
    bad "openssl enc decrypts X-Signature to '$pw2'"
iot=$(tr -d '\r' < "$CT/hdr" | sed -n 's/^x-iot-server: //p')
[ "$iot" = "127.0.0.1:$CLOUD_MQTT_PORT" ] && ok "x-iot-server $iot" || bad "x-iot-server '$iot'"
api -H "Authorization: $ALICE" -H "x-app-key: $APPKEY" -H "x-app-ver: $APPVER" \
    "$URL/api/midppkic/cert/app/v2/now/utc-time"
expect "utc-time without x-os" 400 400
grep -q 'missing header x-os' "$CT/body" && ok "names the missing header" || bad "$(cat "$CT/body")"

# ---- the bundle ------------------------------------------------------------------
# pfx TOKEN UID [OFFSET_MS]: POST the pfx request with a proof for now + offset
pfx() {
    sid=$("$TOTP" sid "$1")
    proof=$("$TOTP" pfx-proof "$2" $DEVID $APPKEY $APPVER $OS "$sid" "$BT_CLOUD_PFX_PASSWORD" "${3:-0}")
    authed "$1" -X POST -H "x-app-resource: $proof" "$URL/api/midppkic/cert/app/v1/pfx"
}
pfx "$ALICE" 1001
ctype=$(tr -d '\r' < "$CT/hdr" | sed -n 's/^Content-Type: //p')
if [ "$http" = 200 ] && [ "$ctype" = application/x-pkcs12 ] && cmp -s "$CT/body" "$P/client.p12"; then
    ok "pfx: the bundle's bytes"
else bad "pfx: HTTP $http, type '$ctype', $(head -c 200 "$CT/body")"; fi
cp "$CT/body" "$CT/got.p12"
if "$OPENSSL_BIN" pkcs12 -legacy -in "$CT/got.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nodes \
        -clcerts -nokeys -out "$CT/got.crt" 2>/dev/null &&
   "$OPENSSL_BIN" pkcs12 -legacy -in "$CT/got.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nodes \
        -nocerts -out "$CT/got.key" 2>/dev/null &&
   "$OPENSSL_BIN" pkcs12 -legacy -in "$CT/got.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nodes \
        -cacerts -nokeys 2>/dev/null | grep -q 'BEGIN CERTIFICATE'; then
    ok "the bundle opens with openssl pkcs12 -legacy: certificate, key and CA"
else bad "the downloaded bundle does not open with -legacy"; fi
"$OPENSSL_BIN" pkcs12 -in "$CT/got.p12" -passin "pass:$BT_CLOUD_PFX_PASSWORD" -nokeys \
    -out /dev/null 2>/dev/null && bad "the bundle opened without -legacy (not legacy-encrypted)" ||
    ok "the bundle needs -legacy (legacy encryption, like the real one)"
pfx "$ALICE" 1001 30000
[ "$http" = 200 ] && cmp -s "$CT/body" "$P/client.p12" && ok "pfx proof from the next 30 s step" ||
    bad "pfx proof +30 s refused: $(head -c 200 "$CT/body")"
pfx "$ALICE" 1001 -30000
[ "$http" = 200 ] && cmp -s "$CT/body" "$P/client.p12" && ok "pfx proof from the step before" ||
    bad "pfx proof -30 s refused: $(head -c 200 "$CT/body")"
pfx "$ALICE" 1001 120000
expect "pfx proof from 2 minutes ahead" 200 20004001
pfx "$ALICE" 1002
expect "pfx proof with another uid" 200 20004001
authed "$ALICE" -X POST -H "x-app-resource: 00ff" "$URL/api/midppkic/cert/app/v1/pfx"
expect "pfx with a garbage x-app-resource" 200 20004001
authed "$ALICE" -X POST "$URL/api/midppkic/cert/app/v1/pfx"
expect "pfx without x-app-resource" 400 400
login carol@example.com Carol-pw-3
CAROL=$(field token)
pfx "$CAROL" 1003
expect "pfx for a revoked certificate" 200 20004003

# the cloud's clock runs 90 s ahead for erin: what a client must use
login erin@example.com Erin-pw-5
ERIN=$(field token)
now=$("$TOTP" now-ms)
utc_time "$ERIN"
if [ -n "$ms" ] && [ $((ms - now)) -ge 85000 ] && [ $((ms - now)) -le 100000 ]; then
    ok "utc-time tells erin the cloud's clock (90 s ahead)"
else bad "erin's server time $ms vs local $now"; fi
pfx "$ERIN" 1005 90000
[ "$http" = 200 ] && ok "pfx proof from the cloud's time" || bad "erin's pfx with the offset: $(cat "$CT/body")"
pfx "$ERIN" 1005 0
expect "pfx proof from the local clock, 90 s behind" 200 20004001

# ---- token expiry ------------------------------------------------------------------
login bob@example.com Bob-pw-2 ""
BOB=$(field token)
BSID=$("$TOTP" sid "$BOB")
grep -q "$BOB" "$CT/body" && grep -q '"ttl":2' "$CT/body" && ok "bob's token, ttl 2 s" ||
    bad "bob's login: $(cat "$CT/body")"
BOB_TOTP=$("$TOTP" mqtt-totp "$BOB")
MQ="-h 127.0.0.1 -p $CLOUD_MQTT_PORT --cafile $P/ca.crt"
# mqpub CERT USER PASS TOPIC: one publish; output in $CT/mq.out, status in $mq
mqpub() {
    if [ -n "$2" ]; then
        # shellcheck disable=SC2086
        mosquitto_pub $MQ --cert "$P/$1.crt" --key "$P/$1.key" -u "$2" -P "$3" -t "$4" -m x \
            > "$CT/mq.out" 2>&1
    else
        # shellcheck disable=SC2086
        mosquitto_pub $MQ --cert "$P/$1.crt" --key "$P/$1.key" -t "$4" -m x > "$CT/mq.out" 2>&1
    fi
    mq=$?
}
mqpub client "tid:$BSID" "$BOB_TOTP" SUB/EL30V2/2345000000002
[ $mq -eq 0 ] && ok "bob's TOTP accepted while the token lives" || bad "bob before expiry: $(cat "$CT/mq.out")"
# the sim drops the token from the tokens file when it expires, request or not
n=0
while grep -q "$BSID" "$CT/tokens" && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
grep -q "$BSID" "$CT/tokens" && bad "bob's expired token is still in the tokens file" ||
    ok "the expired token left the tokens file"
authed "$BOB" "$URL/api/bluuc/uc/v1/basic/get"
expect "basic/get with the expired token" 200 805
mqpub client "tid:$BSID" "$("$TOTP" mqtt-totp "$BOB")" SUB/EL30V2/2345000000002
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "MQTT with the expired token refused" ||
    bad "expired token at the broker: status $mq, $(cat "$CT/mq.out")"

# ---- the broker's checks ------------------------------------------------------------
cp "$CT/got.crt" "$P/app.crt"
cp "$CT/got.key" "$P/app.key"
chmod 644 "$P/app.crt" "$P/app.key"
mqpub app "tid:$ASID" "$("$TOTP" mqtt-totp "$ALICE")" SUB/EL100V2/2345000223861
[ $mq -eq 0 ] && ok "TOTP accepted (certificate from the downloaded bundle)" || bad "alice TOTP: $(cat "$CT/mq.out")"
mqpub app "tid:$ASID" "$("$TOTP" mqtt-totp "$ALICE" 600000)" SUB/EL100V2/2345000223861
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "TOTP of 10 minutes ahead refused" ||
    bad "wrong TOTP: status $mq, $(cat "$CT/mq.out")"
mqpub app "tid:0123456789abcdef0123456789abcdef" "$("$TOTP" mqtt-totp "$A0.0123456789abcdef0123456789abcdef")" \
    SUB/EL100V2/2345000223861
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "unknown sid refused" ||
    bad "unknown sid: status $mq, $(cat "$CT/mq.out")"
mqpub app "tid:$ASID" "rmt:conn-secret-ac300" SUB/AC300/2237000112233
[ $mq -eq 0 ] && ok "rmt:<iotConnSecret> accepted" || bad "rmt: $(cat "$CT/mq.out")"
mqpub app "tid:$ASID" "rmt:wrong" SUB/AC300/2237000112233
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "wrong rmt: secret refused" ||
    bad "wrong rmt: status $mq, $(cat "$CT/mq.out")"
mqpub app "" "" SUB/EL100V2/2345000223861
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "certificate only (no user name) refused" ||
    bad "no user name: status $mq, $(cat "$CT/mq.out")"
mqpub device "device:2345000223861" dev-secret-1 PUB/EL100V2/2345000223861
[ $mq -eq 0 ] && ok "device:<subSn> with its secret accepted" || bad "device: $(cat "$CT/mq.out")"
mqpub device "device:2345000223861" dev-secret-2 PUB/EL100V2/2345000223861
[ $mq -ne 0 ] && grep -q 'not authorised' "$CT/mq.out" && ok "device with another's secret refused" ||
    bad "device wrong secret: status $mq, $(cat "$CT/mq.out")"
# shellcheck disable=SC2086
mosquitto_pub $MQ -u "tid:$ASID" -P "$("$TOTP" mqtt-totp "$ALICE")" -t SUB/EL100V2/2345000223861 \
    -m x > "$CT/mq.out" 2>&1
[ $? -ne 0 ] && ok "no client certificate: no connection" || bad "connected without a certificate"
login erin@example.com Erin-pw-5
ERIN=$(field token)
mqpub app "tid:$("$TOTP" sid "$ERIN")" "$("$TOTP" mqtt-totp "$ERIN" 90000)" SUB/none/none
[ $mq -eq 0 ] && ok "erin's TOTP from the cloud's clock accepted" || bad "erin +90 s: $(cat "$CT/mq.out")"
mqpub app "tid:$("$TOTP" sid "$ERIN")" "$("$TOTP" mqtt-totp "$ERIN")" SUB/none/none
[ $mq -ne 0 ] && ok "erin's TOTP from the local clock refused" || bad "erin's local-clock TOTP accepted"
login dave@example.com Dave-pw-4
DAVE=$(field token)
mqpub app "tid:$("$TOTP" sid "$DAVE")" "$("$TOTP" mqtt-totp "$DAVE")" SUB/EL100V2/2345000000004
if [ $mq -ne 0 ] && ! grep -q 'not authorised' "$CT/mq.out" && grep -q 'lost' "$CT/mq.out"; then
    ok "session taken: closed without a CONNACK"
else bad "session taken: status $mq, $(cat "$CT/mq.out")"; fi

# a message from the station reaches its owner; others' topics are refused
mosquitto_sub $MQ --cert "$P/app.crt" --key "$P/app.key" -u "tid:$ASID" \
    -P "$("$TOTP" mqtt-totp "$ALICE")" -t PUB/EL100V2/2345000223861 -C 1 -W 20 \
    > "$CT/sub.out" 2>&1 &
subpid=$!
n=0
while kill -0 $subpid 2>/dev/null && [ $n -lt 100 ]; do
    mosquitto_pub $MQ --cert "$P/device.crt" --key "$P/device.key" -u device:2345000223861 \
        -P dev-secret-1 -t PUB/EL100V2/2345000223861 -m station-says-hi >/dev/null 2>&1
    sleep 0.1
    n=$((n + 1))
done
wait $subpid
[ "$(cat "$CT/sub.out")" = station-says-hi ] && ok "the station's message reached its owner" ||
    bad "subscriber got: $(cat "$CT/sub.out")"
mosquitto_sub $MQ --cert "$P/app.crt" --key "$P/app.key" -u "tid:$ASID" \
    -P "$("$TOTP" mqtt-totp "$ALICE")" -t PUB/EL30V2/2345000000002 -W 3 > "$CT/sub.out" 2>&1
grep -q 'denied' "$CT/sub.out" && ok "subscribing to another account's station refused" ||
    bad "foreign subscription: $(cat "$CT/sub.out")"
mosquitto_sub $MQ --cert "$P/device.crt" --key "$P/device.key" -u device:2345000223861 \
    -P dev-secret-1 -t SUB/EL30V2/2345000000002 -W 3 > "$CT/sub.out" 2>&1
grep -q 'denied' "$CT/sub.out" && ok "a device subscribing to another station refused" ||
    bad "foreign device subscription: $(cat "$CT/sub.out")"
grep -q "dev-secret\|conn-secret\|$BT_CLOUD_PFX_PASSWORD" "$CT/broker.log" && bad "the broker log shows a secret" ||
    ok "no secret in the broker log"

# ---- garbage and the HTTP edges ---------------------------------------------------------
# raw BYTES: send them over TLS, print the status line of the answer
raw() {
    printf "$1" | timeout 30 "$OPENSSL_BIN" s_client -quiet -connect "127.0.0.1:$CLOUD_API_PORT" \
        -CAfile "$P/ca.crt" 2>/dev/null | head -n 1 | tr -d '\r'
}
rawcheck() {
    got=$(raw "$2")
    case $got in
    "HTTP/1.1 $3 "*) ok "$1 -> $got" ;;
    *) bad "$1: got '$got', wanted $3" ;;
    esac
}
rawcheck "garbage request line" 'GARBAGE\r\n\r\n' 400
rawcheck "lowercase method" 'get / HTTP/1.1\r\n\r\n' 400
rawcheck "HTTP/2.0" 'GET / HTTP/2.0\r\n\r\n' 505
rawcheck "relative target" 'GET x HTTP/1.1\r\n\r\n' 400
rawcheck "header without a colon" 'GET / HTTP/1.1\r\nnocolon\r\n\r\n' 400
rawcheck "bare LF line" 'GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n' 400
rawcheck "NUL in a header" 'GET / HTTP/1.1\r\nA: b\000c\r\n\r\n' 400
rawcheck "control character in a header" 'GET / HTTP/1.1\r\nA: b\001c\r\n\r\n' 400
rawcheck "Content-Length: -1" 'POST /accessToken HTTP/1.1\r\nContent-Length: -1\r\n\r\n' 400
rawcheck "two Content-Lengths" 'POST /accessToken HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx' 400
rawcheck "body over 64 KiB" 'POST /accessToken HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n' 413
rawcheck "chunked body" 'POST /accessToken HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' 501
rawcheck "NUL in the form body" 'POST /accessToken HTTP/1.1\r\nContent-Length: 3\r\n\r\na\000b' 400
big=$(head -c 9000 /dev/zero | tr '\0' a)
rawcheck "9000-byte header" "GET / HTTP/1.1\r\nX-Big: $big\r\n\r\n" 431
many=$(i=0; while [ $i -lt 60 ]; do printf 'H%d: v\\r\\n' $i; i=$((i + 1)); done)
rawcheck "60 headers" "GET / HTTP/1.1\r\n$many\r\n" 431
rawcheck "HTTP/1.0 unknown path" 'GET /x HTTP/1.0\r\n\r\n' 404
# two requests in one write, answered in order on one connection
two=$(printf 'GET /a HTTP/1.1\r\n\r\nGET /api/bluuc/uc/v1/basic/get HTTP/1.1\r\nConnection: close\r\n\r\n' |
      timeout 30 "$OPENSSL_BIN" s_client -quiet -connect "127.0.0.1:$CLOUD_API_PORT" \
      -CAfile "$P/ca.crt" 2>/dev/null | grep -o 'HTTP/1.1 [0-9]*' | tr '\n' ' ')
[ "$two" = "HTTP/1.1 404 HTTP/1.1 200 " ] && ok "two pipelined requests, answered in order" ||
    bad "pipelined: answers '$two'"
# a request cut short, then the client goes away; TLS garbage; plain HTTP
printf 'POST /accessToken HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc' |
    timeout 30 "$OPENSSL_BIN" s_client -quiet -no_ign_eof -connect "127.0.0.1:$CLOUD_API_PORT" \
    -CAfile "$P/ca.crt" > /dev/null 2>&1
head -c 3000 /dev/urandom | timeout 30 "$OPENSSL_BIN" s_client -quiet -connect \
    "127.0.0.1:$CLOUD_API_PORT" -CAfile "$P/ca.crt" > /dev/null 2>&1
curl -sS --noproxy 127.0.0.1 --max-time 10 "http://127.0.0.1:$CLOUD_API_PORT/accessToken" \
    > /dev/null 2>&1
# keep-alive: two calls on one connection
conns=$(curl -sS --noproxy 127.0.0.1 --max-time 20 --cacert "$P/ca.crt" -H "Authorization: $ALICE" \
        -o /dev/null -o /dev/null -w '%{num_connects} ' \
        "$URL/api/bluuc/uc/v1/basic/get" "$URL/api/bluuc/uc/v1/basic/get")
[ "$conns" = "1 0 " ] && ok "keep-alive: the second request reused the connection" ||
    bad "keep-alive: connects '$conns'"
kill -0 "$CLOUD_API_PID" 2>/dev/null && ok "the sim survived the garbage" || bad "the sim died"
login alice@example.com Alice-pw-1
expect "login after the garbage" 200 0

# ---- shutdown -----------------------------------------------------------------------------
cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud"
[ -e "$CT/api.ready" ] && bad "the ready file was left behind" || ok "ready file removed on exit"

# the example config of the man page loads and serves (paths relative to it)
mkdir -p "$CT/ex"
cp "$S/examples/cloud-sim.json" "$P/client.p12" "$CT/ex/"
cloud_start_api "$CT/ex/cloud-sim.json"
URL=https://127.0.0.1:$CLOUD_API_PORT
login owner@example.com Owner-pw-1
expect "examples/cloud-sim.json: login" 200 0
[ -f "$CT/ex/tokens" ] && ok "examples/cloud-sim.json: tokens file next to the config" ||
    bad "no tokens file in $CT/ex"
cloud_stop "$CLOUD_API_PID" "bluetti-sim --cloud (example config)"

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
exit 0
