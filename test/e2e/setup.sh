#!/usr/bin/env bash
# Installs what the VS Code end-to-end tier needs and the extension's users never do: Debian's
# chromium, ripgrep and libkrb5-dev (code-server's native modules), and code-server 4.100.3 with
# playwright-core in their own folder (.e2e-cache/, git-ignored), so `npm ci` stays small.
# Idempotent and cheap when everything is there: CI runs it before every `npm test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${THREADLENS_E2E_CACHE:-$ROOT/.e2e-cache}
CODE_SERVER_VERSION=4.100.3 # the last release whose engines accept Node 20
PLAYWRIGHT_VERSION=1.65.1

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e setup: apt-get install ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "e2e setup: the VS Code tier needs the Debian packages: ${missing[*]}" >&2
      echo "install them as root (apt-get install ${missing[*]}) and run the tests again" >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -x "$CACHE/node_modules/.bin/code-server" ] &&
  [ -d "$CACHE/node_modules/playwright-core" ] &&
  grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CACHE/node_modules/code-server/package.json"; then
  exit 0
fi

# @vscode/ripgrep's postinstall downloads a ripgrep build; give it Debian's rg from its cache.
RG_CACHE="$(node -p 'os.tmpdir()')/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  mkdir -p "$RG_CACHE"
  tar -czf "$RG_TAR" -C "$(dirname "$(command -v rg)")" rg
fi

mkdir -p "$CACHE"
cat >"$CACHE/package.json" <<JSON
{ "name": "threadlens-e2e-tools", "private": true, "description": "VS Code e2e test tools" }
JSON
echo "e2e setup: installing code-server@$CODE_SERVER_VERSION and playwright-core (about a minute)"
# node-pty's install runs `npx node-gyp`: it must not stop to ask.
(cd "$CACHE" && npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >install.log 2>&1) || {
  tail -40 "$CACHE/install.log"
  exit 1
}
echo "e2e setup: done"
