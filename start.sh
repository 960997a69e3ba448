#!/usr/bin/env bash
# Set up and run offpay on this machine (README.md "Quick start"): installs pnpm when it is
# missing and the dependencies from the lockfile, then `pnpm start` — the bank on its embedded
# defaults (no Postgres or Redis needed) serving the wallet and the till at
# http://127.0.0.1:8787/wallet/ and /till/. Ctrl-C stops it. `./start.sh --lan` serves phones on
# the local network over HTTPS (docs/operations.md "Phones on the LAN").
set -euo pipefail
cd "$(dirname "$0")"
. tools/sh/setup.sh
need_node
need_pnpm
install_dependencies
log "pnpm start $*"
exec pnpm start "$@"
