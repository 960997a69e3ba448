#!/usr/bin/env bash
# One command on a fresh machine: install pnpm and the dependencies (from the lockfile), then run
# the system on its embedded defaults (see README.md "Quick start").
set -euo pipefail
cd "$(dirname "$0")"
PNPM_VERSION=10.34.9
command -v node >/dev/null 2>&1 || { echo "offpay needs Node.js >= 20.19 (https://nodejs.org)" >&2; exit 1; }
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm $PNPM_VERSION…"
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION"
fi
pnpm install --frozen-lockfile
exec pnpm start
