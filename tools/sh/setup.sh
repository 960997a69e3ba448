# Shared by ./start.sh, ./test.sh and .ci/run (sourced, from the repository root): say what is
# done, and install what is missing.
PNPM_VERSION=10.34.9

log() { printf '\n==> %s\n' "$*"; }

# Node 20.19 or newer is the one thing assumed (https://nodejs.org).
need_node() {
  if ! command -v node >/dev/null 2>&1 ||
    ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "offpay needs Node.js >= 20.19 (https://nodejs.org)" >&2
    exit 1
  fi
}

# pnpm, pinned (package.json "packageManager"), through npm: corepack needs integrity-key
# workarounds for this version (../shared/TOOLCHAIN.md).
need_pnpm() {
  # npm's global bin may be off PATH (a custom prefix): a pnpm installed there earlier counts.
  PATH="$PATH:$(npm prefix -g)/bin"
  export PATH
  if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION with npm (npm install -g pnpm@$PNPM_VERSION)"
    npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" </dev/null
    PATH="$(npm prefix -g)/bin:$PATH"
    export PATH
  fi
}

# Debian packages by name (as root, or through sudo), installed only when their command is missing:
# apt_need COMMAND PACKAGE...
apt_missing=()
apt_need() {
  local command=$1
  shift
  command -v "$command" >/dev/null 2>&1 || apt_missing+=("$@")
}
apt_install_missing() {
  [ "${#apt_missing[@]}" -gt 0 ] || return 0
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  log "installing ${apt_missing[*]} (apt-get update; apt-get install --no-install-recommends)"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${apt_missing[@]}" </dev/null
  apt_missing=()
}

# The workspace's dependencies, exactly as the lockfile says.
install_dependencies() {
  log "pnpm install --frozen-lockfile"
  pnpm install --frozen-lockfile </dev/null
}
