#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: one role and one database per
# service, each database owned by its role, so no service can read another's tables.
set -eu
for name in ${PDNET_DATABASES}; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=name="$name" --set=password="$PDNET_DB_PASSWORD" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
