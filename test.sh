#!/usr/bin/env bash
# Set up and run every check offpay has (README.md "Quick start"), on a machine with Node 20 and
# Postgres and Redis running on their standard local ports. It says what it does, and does only
# what is missing:
#   - pnpm (npm install -g), Chromium and ffmpeg for the browser tests (apt-get, as root or sudo);
#   - the test role and database in Postgres (DATABASE_URL, else offpay/offpay_test), as the
#     postgres superuser;
#   - the dependencies from the lockfile; then `pnpm test` (formatting, layer rules, lint,
#     types, the unit, database and browser tests).
# The tests listen only on free ports: `./start.sh` can keep running in another terminal.
set -euo pipefail
cd "$(dirname "$0")"
. tools/sh/setup.sh

need_node
need_pnpm
apt_need chromium chromium fonts-liberation
# e2e/: the fake camera plays a .y4m video made from a rendered QR code.
apt_need ffmpeg ffmpeg
apt_install_missing

export DATABASE_URL="${DATABASE_URL:-postgres://offpay:offpay@127.0.0.1:5432/offpay_test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

# Postgres and Redis are the caller's (the README says how to start them; .ci/run does).
pg_host=$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$DATABASE_URL")
pg_port=$(node -e 'console.log(new URL(process.argv[1]).port || 5432)' "$DATABASE_URL")
if ! pg_isready -q -h "$pg_host" -p "$pg_port"; then
  echo "Postgres is not answering on $pg_host:$pg_port (start it, e.g. pg_ctlcluster 15 main start)" >&2
  exit 1
fi
if ! node -e 'const s = require("node:net").connect(Number(new URL(process.argv[1]).port || 6379), new URL(process.argv[1]).hostname); s.on("connect", () => process.exit(0)); s.on("error", () => process.exit(1))' "$REDIS_URL"; then
  echo "Redis is not answering at $REDIS_URL (start it, e.g. redis-server --daemonize yes)" >&2
  exit 1
fi

# The role and database of DATABASE_URL, created when absent (each test file then works in a
# schema of its own). As the postgres superuser: through `su postgres` as root, else psql -U postgres.
read -r pg_user pg_password pg_db < <(node -e '
  const u = new URL(process.argv[1]);
  const name = (s) => { if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error("unexpected name " + s); return s; };
  console.log(name(decodeURIComponent(u.username)), decodeURIComponent(u.password) || "-", name(u.pathname.slice(1)));
' "$DATABASE_URL")
as_postgres() {
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    (cd /tmp && su postgres -c "psql -h $pg_host -p $pg_port -q -v ON_ERROR_STOP=1 $*")
  else
    psql -h "$pg_host" -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 "$@"
  fi
}
if ! psql "$DATABASE_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  log "Postgres: creating role $pg_user and database $pg_db for the tests"
  as_postgres -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
    CREATE ROLE $pg_user LOGIN PASSWORD '${pg_password/-/}';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $pg_db OWNER $pg_user' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$pg_db')\gexec
SQL
fi

install_dependencies
log "pnpm test"
pnpm test </dev/null
