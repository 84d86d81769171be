#!/usr/bin/env bash
# Staged install of code-server (VS Code 1.100 in a browser) and playwright-core for the opt-in
# VS Code test (TREIDO_E2E_VSCODE=1). Everything comes from the npm registry and Debian; nothing
# downloads a prebuilt binary. Usage: install.sh DIR (idempotent: a finished DIR is kept).
# Why staged: code-server's install scripts download things; with --ignore-scripts and a rebuild
# against the system Node headers it installs offline (about a minute).
set -euo pipefail
DIR="${1:?usage: install.sh DIR}"
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
mkdir -p "$DIR"
cd "$DIR"
if [ -f .installed ] && [ "$(cat .installed)" = "$CODE_SERVER_VERSION $PLAYWRIGHT_VERSION" ]; then
  exit 0
fi

retry() { "$@" || { echo "retrying: $*"; sleep 5; "$@"; }; }

need=()
for pkg in libkrb5-dev ripgrep pkg-config chromium; do
  dpkg -s "$pkg" > /dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  retry $SUDO apt-get update -qq
  retry $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi

[ -f package.json ] || echo '{"name": "treido-e2e-vscode", "private": true}' > package.json
retry npm install --no-audit --no-fund --loglevel=error --ignore-scripts \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
npm rebuild argon2 --loglevel=error
VSCODE_DIR=node_modules/code-server/lib/vscode
(cd "$VSCODE_DIR" && retry npm install --no-audit --no-fund --loglevel=error --ignore-scripts --omit=dev)
mkdir -p "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg"
(cd "$VSCODE_DIR" && npm_config_nodedir=/usr npm_config_yes=true npm rebuild --loglevel=error)
echo "$CODE_SERVER_VERSION $PLAYWRIGHT_VERSION" > .installed
