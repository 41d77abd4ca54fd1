#!/bin/sh
# One-shot (service temporal-schema): creates Temporal's two databases on the shared Postgres
# and brings their schemas up to date. Safe to run at every `docker compose up`.
set -eu

SCHEMA_DIR=/etc/temporal/schema/postgresql/v12
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

echo "waiting for Postgres at $POSTGRES_SEEDS:${DB_PORT:-5432}"
i=0
until nc -z "$POSTGRES_SEEDS" "${DB_PORT:-5432}"; do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then echo "Postgres is not reachable"; exit 1; fi
  sleep 1
done

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir=$SCHEMA_DIR/${pair##*:}/versioned
  sql --db "$db" create
  # An existing schema only needs its pending versions; a new one is set up at 0.0 first.
  if ! sql --db "$db" update-schema -d "$dir"; then
    echo "setting up the $db schema"
    sql --db "$db" setup-schema -v 0.0
    sql --db "$db" update-schema -d "$dir"
  fi
done
echo "Temporal schemas are up to date"
