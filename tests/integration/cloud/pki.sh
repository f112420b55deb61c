#!/bin/sh
# A throw-away PKI for the simulated Bluetti cloud, in DIR:
#
#   ca.crt ca.key             the test CA (stands in for the cloud's private CA)
#   broker.crt broker.key     the MQTT broker's certificate (127.0.0.1, localhost)
#   cloud.crt cloud.key       the HTTPS API's certificate (127.0.0.1, localhost)
#   client.p12                what the cloud hands a logged-in app: client
#                             certificate + key + CA, LEGACY encryption
#                             (RC2/3DES, like the real bundle), password
#                             $BT_CLOUD_PFX_PASSWORD
#   device.p12                the simulated stations' certificate (modern
#                             encryption), same password
#
# Usage: pki.sh DIR (BT_CLOUD_PFX_PASSWORD set). Everything is readable by
# all: Debian's mosquitto drops to its own user when started as root.
set -eu
dir=$1
OPENSSL=${OPENSSL_BIN:-openssl}
PASS=${BT_CLOUD_PFX_PASSWORD:?set BT_CLOUD_PFX_PASSWORD}
cd "$dir"

ossl() { "$OPENSSL" "$@" 2>>openssl.log; }
newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

newkey ca.key
ossl req -x509 -new -key ca.key -sha256 -days 3 -subj "/O=bluetti tests/CN=bluetti test cloud CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt

# leaf NAME CN EXTENSIONS(;-separated)
leaf() {
    newkey "$1.key"
    ossl req -new -key "$1.key" -subj "/O=bluetti tests/CN=$2" -out "$1.csr"
    printf '%s\n' "$3" | tr ';' '\n' > "$1.ext"
    ossl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 2 \
        -extfile "$1.ext" -out "$1.crt"
}
SERVER='basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=serverAuth;subjectAltName=DNS:localhost,IP:127.0.0.1'
CLIENT='basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=clientAuth'
leaf broker localhost "$SERVER"
leaf cloud localhost "$SERVER"
leaf client bluetti-app "$CLIENT"
leaf device bluetti-station "$CLIENT"

ossl pkcs12 -export -legacy -in client.crt -inkey client.key -certfile ca.crt -name bluetti-app \
    -passout "pass:$PASS" -out client.p12
ossl pkcs12 -export -in device.crt -inkey device.key -certfile ca.crt -name bluetti-station \
    -passout "pass:$PASS" -out device.p12

rm -f ./*.csr ./*.ext
chmod 755 .
chmod 644 ./*.crt ./*.key ./*.p12
