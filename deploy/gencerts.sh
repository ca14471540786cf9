#!/bin/sh
# One-shot certificate generation for deploy/compose.yaml, run inside the es-gencert-cli image
# (the `certs` service) as root, writing into the `certs` volume mounted at $OUT:
#
#   ca/ca.crt             the private CA's certificate: the only file in ca/, because KurrentDB
#                         loads every file of its trusted-root directory; clients use it too
#   ca-private/ca.{crt,key}  the CA key, readable by root only (never mounted anywhere else)
#   node1..3/node.{crt,key}  KurrentDB node certificates (common name eventstoredb-node, shared by
#                         all members), owned by the KurrentDB image's user
#   iamd/node.{crt,key}   the iamd replicas' server certificate, common name `iamd` so that it can
#                         never pass as a cluster member, owned by the iamd image's user
#
# Idempotent: once a run has completed, later runs leave the certificates alone. To rotate them,
# stop the stack and remove the volume (see deploy/README.md).
set -eu

OUT=${CERTS_DIR:-/certs}
NODES=${KDB_NODES:-"node1 node2 node3"}
CLUSTER_ALIAS=${KDB_CLUSTER_ALIAS:-kurrentdb}   # network alias shared by every node
KDB_UID=${KDB_UID:-1000}                        # user of the KurrentDB image
IAMD_UID=${IAMD_UID:-10001}                     # user of deploy/Dockerfile's runtime image
IAMD_DNS_NAMES=${IAMD_DNS_NAMES:-"iamd,iamd-1,iamd-2,localhost"}
DAYS=${CERT_DAYS:-365}

case "$OUT" in
    "" | /) echo "refusing to write certificates into '$OUT'" >&2; exit 1 ;;
esac

if [ -f "$OUT/.complete" ]; then
    echo "certificates already present in $OUT (remove the volume to generate new ones)"
    exit 0
fi

# A run that stopped half-way leaves nothing worth keeping.
rm -rf "$OUT"/* "$OUT"/.[!.]* 2>/dev/null || true

es-gencert-cli create-ca -out "$OUT/ca-private"

for node in $NODES; do
    es-gencert-cli create-node \
        -ca-certificate "$OUT/ca-private/ca.crt" -ca-key "$OUT/ca-private/ca.key" \
        -out "$OUT/$node" -days "$DAYS" \
        -dns-names "$node,$CLUSTER_ALIAS,localhost" -ip-addresses 127.0.0.1
    chown -R "$KDB_UID:$KDB_UID" "$OUT/$node"
done

es-gencert-cli create-node \
    -ca-certificate "$OUT/ca-private/ca.crt" -ca-key "$OUT/ca-private/ca.key" \
    -out "$OUT/iamd" -days "$DAYS" -common-name iamd \
    -dns-names "$IAMD_DNS_NAMES" -ip-addresses 127.0.0.1
chown -R "$IAMD_UID:$IAMD_UID" "$OUT/iamd"

mkdir -p "$OUT/ca"
cp "$OUT/ca-private/ca.crt" "$OUT/ca/ca.crt"

# Certificates world-readable, each key readable by its owner only, the CA key by root only.
chmod 0755 "$OUT" "$OUT/ca" "$OUT/iamd"
for node in $NODES; do chmod 0755 "$OUT/$node"; done
find "$OUT" -name '*.crt' -exec chmod 0444 {} +
find "$OUT" -name '*.key' -exec chmod 0400 {} +
chmod 0700 "$OUT/ca-private"

touch "$OUT/.complete"
echo "certificates written to $OUT:"
find "$OUT" -type f | sort
