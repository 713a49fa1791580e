#!/usr/bin/env bash
# Packages the VS Code extension (editors/vscode) as dist/pf-<version>.vsix.
#
# Needs node and npm, and the npm registry (for vscode-languageclient and @vscode/vsce, pinned
# below). Offline it works only from a warm npm cache: set PF_NPM_OFFLINE=1 to pass --offline to
# npm, which then fails with the name of any package missing from the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
VSCE_VERSION=3.2.2
command -v npm >/dev/null || { echo "package-vscode: npm is needed (apt-get install npm)" >&2; exit 2; }
offline=()
[ "${PF_NPM_OFFLINE:-0}" = 1 ] && offline=(--offline)
mkdir -p dist
cd editors/vscode
npm install --no-audit --no-fund "${offline[@]}"
npm run sync-grammar
version=$(node -p 'require("./package.json").version')
npx --yes "${offline[@]}" "@vscode/vsce@${VSCE_VERSION}" package \
  --out "../../dist/pf-${version}.vsix" 2>&1 || {
  echo "package-vscode: vsce failed; without network access run with a warm npm cache and PF_NPM_OFFLINE=1" >&2
  exit 1
}
echo "dist/pf-${version}.vsix"
