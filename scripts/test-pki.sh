#!/bin/sh
# A throwaway test PKI for garita's TLS listeners, made with the openssl
# command. FOR TESTS AND DEMOS ONLY: the CA key sits next to the
# certificates, unencrypted. A real site's CA lives offline (docs/uplink.md).
#
# Usage: scripts/test-pki.sh DIR     (DIR is created; existing files are replaced)
#
# Writes (all keys EC P-256, mode 0600):
#   ca.pem ca.key                 the site's private CA
#   server.pem server.key         workstation (garitad) server cert:
#                                 CN=garita-workstation, SAN DNS:localhost, IP:127.0.0.1
#   L1.pem L1.key .. L4.pem L4.key  lane controller client certs (CN=L1..L4)
#   expired.pem expired.key       lane cert CN=L1 whose validity ended yesterday
#   wrong-ca.pem wrong-ca.key     a second, unrelated CA
#   wrong-L1.pem wrong-L1.key     lane cert CN=L1 issued by the wrong CA
#   partner-ca.pem partner-ca.key a partner agency's CA (batch exchange)
#   partner.pem partner.key       a certificate issued by the partner CA
#   signing.pem signing.key       the workstation's signing cert (batch/audit
#                                 signatures; digitalSignature only)
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

days=30
ext=ext.cnf

# name: new EC P-256 key NAME.key and CSR NAME.csr with subject CN=$2
newkey() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  chmod 600 "$1.key"
}

# ca NAME CN: a self-signed CA
ca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" -days "$days" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 600 "$1.key"
}

# sign NAME ISSUER SECTION [DAYS]: NAME.csr -> NAME.pem signed by ISSUER
sign() {
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
    -days "${4:-$days}" -extfile "$ext" -extensions "$3" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr"
}

cat > "$ext" <<'EOF'
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[signing]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[partner]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth,serverAuth
EOF

ca ca "garita test CA"
ca wrong-ca "garita wrong CA"
ca partner-ca "garita partner CA"

newkey server garita-workstation
sign server ca server

for lane in L1 L2 L3 L4; do
  newkey "$lane" "$lane"
  sign "$lane" ca client
done

# Valid until yesterday: verification says "certificate has expired".
newkey expired L1
sign expired ca client -1

newkey wrong-L1 L1
sign wrong-L1 wrong-ca client

newkey partner "garita partner"
sign partner partner-ca partner

newkey signing "garita workstation signing"
sign signing ca signing

rm -f "$ext" ./*.srl
chmod 600 ./*.key
chmod 644 ./*.pem
