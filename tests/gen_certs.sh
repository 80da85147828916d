#!/bin/sh
# Make the certificates the TLS tests need, into directory $1:
#   ca.pem ca.key              test root CA (EC P-256)
#   good.pem good.key          localhost + 127.0.0.1, signed by the CA (EC P-256)
#   expired.pem expired.key    localhost, signed by the CA, valid 2020-01-01..2021-01-01
#   wronghost.pem .key         other.example only, signed by the CA (RSA 2048)
#   self.pem self.key          localhost, self-signed (not from the CA)
#   inter.pem inter.key        an intermediate CA signed by the root (RSA 2048)
#   leafi.pem leafi.key        localhost signed by the intermediate (the server sends
#                              only this: the chain lacks the intermediate)
#   leafi-chain.pem            leafi.pem + inter.pem (the complete chain)
#   untrusted-ca.pem, untrusted.pem .key   localhost from a CA the client does not trust
# Everything is throw-away test material; nothing here is ever a real key.
set -eu
d=${1:?usage: gen_certs.sh DIR}
mkdir -p "$d"
cd "$d"

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

cat > ext.cnf <<'EOF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[localhost]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[other]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
EOF

# root CA
ec_key ca.key
openssl req -x509 -new -key ca.key -subj "/CN=ExamFlow Test CA" -days 3650 \
	-config /dev/null -extensions ca -extfile ext.cnf -out ca.pem 2>/dev/null ||
openssl req -x509 -new -key ca.key -subj "/CN=ExamFlow Test CA" -days 3650 \
	-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

# sign NAME KEYFUN SECTION ISSUER_CERT ISSUER_KEY CN
sign() {
	$2 "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$6" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -CAcreateserial -days 825 \
		-extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
}

sign good ec_key localhost ca.pem ca.key localhost
sign wronghost rsa_key other ca.pem ca.key other.example

# self-signed leaf for localhost
ec_key self.key
openssl req -x509 -new -key self.key -subj "/CN=localhost" -days 825 \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=CA:false" -out self.pem

# a CA the client does not know, and a leaf from it
ec_key untrusted-ca.key
openssl req -x509 -new -key untrusted-ca.key -subj "/CN=Someone Else's CA" -days 3650 \
	-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out untrusted-ca.pem
sign untrusted ec_key localhost untrusted-ca.pem untrusted-ca.key localhost

# intermediate CA and a leaf under it
rsa_key inter.key
openssl req -new -key inter.key -subj "/CN=ExamFlow Test Intermediate" -out inter.csr
openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1825 \
	-extfile ext.cnf -extensions ca -out inter.pem 2>/dev/null
sign leafi rsa_key localhost inter.pem inter.key localhost
cat leafi.pem inter.pem > leafi-chain.pem

# expired: `openssl x509` (3.0) cannot set past dates, `openssl ca` can
ec_key expired.key
openssl req -new -key expired.key -subj "/CN=localhost" -out expired.csr
mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial
cat > ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
EOF
cat ext.cnf >> ca.cnf
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
	-startdate 20200101000000Z -enddate 20210101000000Z -extfile ext.cnf -extensions localhost \
	-notext 2>/dev/null

rm -rf ./*.csr ./*.srl ca-db ca.cnf ext.cnf
echo "certificates in $d"
