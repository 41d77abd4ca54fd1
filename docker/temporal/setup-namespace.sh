#!/bin/sh
# One-shot (service temporal-setup): once the server is healthy, creates the namespace and the
# search attributes the reservation workflow upserts (SEARCH_ATTRIBUTES, NAME=TYPE separated by
# spaces; workflows/shared.ts is the source). Creating an existing attribute with the same type
# succeeds, so this is safe to run at every `docker compose up`.
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
# Resolved to an address first, as Temporal's own compose samples do: the CLI can stumble on the name.
HOST=${ADDRESS%:*}
PORT=${ADDRESS##*:}
IP=$(getent ahosts "$HOST" | grep STREAM | head -1 | awk '{ print $1 }' || true)
ADDRESS=${IP:-$HOST}:$PORT

retry() {
  i=0
  until "$@"; do
    i=$((i + 1))
    if [ "$i" -ge 60 ]; then echo "gave up: $*"; return 1; fi
    sleep 2
  done
}

echo "waiting for Temporal at $ADDRESS"
retry temporal operator cluster health --address "$ADDRESS"

if ! temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "creating namespace $NAMESPACE"
  temporal operator namespace create --namespace "$NAMESPACE" --retention "${NAMESPACE_RETENTION:-72h}" --address "$ADDRESS"
fi

for attribute in $SEARCH_ATTRIBUTES; do
  # Retried: a new namespace takes a few seconds to reach every service.
  retry temporal operator search-attribute create --namespace "$NAMESPACE" --address "$ADDRESS" \
    --name "${attribute%%=*}" --type "${attribute##*=}"
done
temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS"
