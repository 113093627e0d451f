#!/usr/bin/env bash
# Runs the whole test suite on Node 22 with msw 3, @netlify/identity 2 and @netlify/functions 6,
# beside the default Node 20 + msw 2 + @netlify/identity 1.2 + @netlify/functions 5.3 run (the
# version matrix, scripts/matrix.mjs, proves the packed package in fresh projects; this proves the
# suite itself). Node 22 comes from the npm registry (the `node` package, shared with the matrix
# under .cache/node-bin/22); the suite runs in a copy of the repository so that the main checkout
# keeps its lock-file versions.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$root/.tmp/node22"
bin="$root/.cache/node-bin/22"
rm -rf "$scratch"
mkdir -p "$scratch/repo" "$bin"
node22="$bin/node_modules/node/bin/node"
if [ ! -x "$node22" ]; then
  echo '{"private":true}' > "$bin/package.json"
  npm install --prefix "$bin" --no-audit --no-fund --prefer-offline node@22 >/dev/null
fi
echo "node22: $("$node22" --version)"
# Copy the tracked files (and any uncommitted edits to them) into the scratch repository.
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch/repo")
cd "$scratch/repo"
npm ci --no-audit --no-fund --prefer-offline >/dev/null
npm install --no-save --no-audit --no-fund --prefer-offline msw@3 @netlify/identity@2 @netlify/functions@6 >/dev/null
for p in msw @netlify/identity @netlify/functions; do echo "$p: $(node -p "require('./node_modules/$p/package.json').version")"; done
"$node22" node_modules/vitest/vitest.mjs run
