#!/bin/sh
# Make a throw-away PKI for the MQTT integration tests in DIR:
#
#   ca.crt ca.key                 the test CA ("CA A")
#   server.crt server.key         broker certificate from CA A (localhost, 127.0.0.1)
#   wrongname.crt wrongname.key   broker certificate from CA A for another name
#   other-ca.crt                  an unrelated CA ("CA B")
#   other-server.crt .key         broker certificate from CA B
#   client.p12 sim.p12            client certificates from CA A (with ca.crt inside)
#   rogue.p12                     client certificate from CA B (the broker rejects it)
#   expired.p12 notyet.p12        client certificates outside their validity
#   nokey.p12                     a certificate without its key
#   legacy.p12                    RC2/3DES-encrypted (when openssl can still make one)
#   corrupt.p12 notp12.p12 empty.p12   broken files
#
# Every PKCS#12 uses the password $BT_MQTT_PASSWORD. Usage: mkcerts.sh DIR
#
# mkcerts.sh --cloud DIR makes the simulated Bluetti cloud's set instead
# (tests/integration/cloud/harness.sh), password $BT_CLOUD_PFX_PASSWORD:
#
#   ca.crt ca.key             the test CA (stands in for the cloud's private CA)
#   broker.crt broker.key     the MQTT broker's certificate (127.0.0.1, localhost)
#   cloud.crt cloud.key       the HTTPS API's certificate (127.0.0.1, localhost)
#   client.p12                what the cloud hands a logged-in app: client
#                             certificate + key + CA, LEGACY encryption
#                             (RC2/3DES, like the real bundle)
#   device.p12                the simulated stations' certificate (modern
#                             encryption)
set -eu
cloud=
if [ "${1:-}" = --cloud ]; then
    cloud=1
    shift
fi
dir=$1
OPENSSL=${OPENSSL_BIN:-openssl}
if [ -n "$cloud" ]; then
    PASS=${BT_CLOUD_PFX_PASSWORD:?set BT_CLOUD_PFX_PASSWORD}
else
    PASS=${BT_MQTT_PASSWORD:?set BT_MQTT_PASSWORD}
fi
cd "$dir"

ossl() { "$OPENSSL" "$@" 2>>openssl.log; }

newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# CA: mkca NAME CN
mkca() {
    newkey "$1.key"
    ossl req -x509 -new -key "$1.key" -sha256 -days 3 -subj "/O=bluetti tests/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$1.crt"
}

# leaf: mkleaf NAME CA CN EXTENSIONS
mkleaf() {
    newkey "$1.key"
    ossl req -new -key "$1.key" -subj "/O=bluetti tests/CN=$3" -out "$1.csr"
    printf '%s\n' "$4" | tr ';' '\n' > "$1.ext"
    ossl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -sha256 -days 2 \
        -extfile "$1.ext" -out "$1.crt"
}

SERVER_EXT='basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=serverAuth'
CLIENT_EXT='basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=clientAuth'

# p12 NAME CA-FILE [-legacy]: NAME.crt + NAME.key (+ CA) -> NAME.p12
p12() {
    ossl pkcs12 -export ${3:-} -in "$1.crt" -inkey "$1.key" -certfile "$2" -name "$1" \
        -passout "pass:$PASS" -out "$1.p12"
}

# Debian's mosquitto drops to its own user when started as root: it must
# be able to read the broker's files. Everything here is throw-away.
readable() {
    chmod 755 .
    chmod 644 ./*.crt ./*.key ./*.p12
}

if [ -n "$cloud" ]; then
    SERVER_NAMES="$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1"
    mkca ca "bluetti test cloud CA"
    mkleaf broker ca localhost "$SERVER_NAMES"
    mkleaf cloud ca localhost "$SERVER_NAMES"
    mkleaf client ca bluetti-app "$CLIENT_EXT"
    mkleaf device ca bluetti-station "$CLIENT_EXT"
    p12 client ca.crt -legacy
    p12 device ca.crt
    rm -f ./*.csr ./*.ext
    readable
    exit 0
fi

mkca ca "bluetti test CA A"
mkca other-ca "bluetti test CA B"
mkleaf server ca localhost "$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1"
mkleaf wrongname ca wrong.example "$SERVER_EXT;subjectAltName=DNS:wrong.example"
mkleaf other-server other-ca localhost "$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1"
mkleaf client ca bluetti-client "$CLIENT_EXT"
mkleaf sim ca bluetti-sim "$CLIENT_EXT"
mkleaf rogue other-ca bluetti-client "$CLIENT_EXT"
p12 client ca.crt
p12 sim ca.crt
p12 rogue ca.crt

# Certificates with chosen dates need `openssl ca`.
mkdir -p newcerts
: > index.txt
echo 1000 > serial
cat > ca.cnf <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
[ client_ext ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
EOF
dated() {
    newkey "$1.key"
    ossl req -new -key "$1.key" -subj "/O=bluetti tests/CN=bluetti-client" -out "$1.csr"
    ossl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in "$1.csr" -out "$1.crt" \
        -startdate "$2" -enddate "$3" -extensions client_ext -notext
    p12 "$1" ca.crt
}
dated expired 20200101000000Z 20200102000000Z
dated notyet 20991231000000Z 21000101000000Z

ossl pkcs12 -export -nokeys -in client.crt -passout "pass:$PASS" -out nokey.p12
if ossl pkcs12 -export -legacy -in client.crt -inkey client.key -certfile ca.crt \
        -passout "pass:$PASS" -out legacy.p12; then :; else rm -f legacy.p12; fi
head -c 200 client.p12 > corrupt.p12
cp client.crt notp12.p12
: > empty.p12

readable
