#!/usr/bin/env bash
# Runs the test suite on Node 22 with msw 3, beside the default Node 20 + msw 2 run.
# Node 22 comes from the npm registry (the `node` package) into a scratch folder; the suite runs in
# a copy of the repository so that the main checkout keeps msw 2.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$root/.tmp/node22"
rm -rf "$scratch"
mkdir -p "$scratch/bin" "$scratch/repo"
npm install --prefix "$scratch/bin" --no-audit --no-fund --no-save node@22 >/dev/null
node22="$scratch/bin/node_modules/.bin/node"
echo "node22: $("$node22" --version)"
# Copy the tracked files (and any uncommitted edits to them) into the scratch repository.
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch/repo")
cd "$scratch/repo"
npm ci --no-audit --no-fund >/dev/null
npm install --no-save --no-audit --no-fund msw@3 >/dev/null
echo "msw: $(node -p "require('./node_modules/msw/package.json').version")"
"$node22" node_modules/vitest/vitest.mjs run
