#!/usr/bin/env bash
# Makes the release tarball IT installs on a server or a bedside machine: the built JavaScript
# (npm run build: */dist, dashboard/build), the runtime files (migrations, models, the agent's and
# server's commands), package.json + package-lock.json for `npm ci --omit=dev`, deploy/ and the
# scripts. No TypeScript sources and no tests: what runs in production is exactly the build.
#
#   scripts/release.sh [--out DIR] [--no-build]      prints the tarball's path
#
# Run it in a development checkout (`npm ci` with dev dependencies). See docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=release
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: scripts/release.sh [--out DIR] [--no-build]" >&2; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then npm run build >&2; fi

version=$(node -p 'require("./server/package.json").version')
if git rev-parse --short HEAD >/dev/null 2>&1; then version="$version+$(git rev-parse --short HEAD)"; fi
name="attune-$version"

files=(
  package.json package-lock.json .npmrc README.md NOTICE
  scripts/entry.mjs scripts/postinstall.mjs scripts/install-agent.sh scripts/mosquitto.sh
  deploy docs
  protocol/package.json protocol/MQTT.md protocol/dist
  db/package.json db/dist db/migrations
  models/package.json models/dist models/manifest.json
  edge-agent/package.json edge-agent/README.md edge-agent/config.example.json edge-agent/bin edge-agent/dist
  server/package.json server/bin server/dist
  dashboard/package.json dashboard/build
)
# Every model file the manifest names, and the wearable model's weights, with their model cards.
while IFS= read -r file; do files+=("models/$file" "models/$(dirname "$file")/MODEL_CARD.md"); done \
  < <(node -e 'for (const m of require("./models/manifest.json").models) console.log(m.file)')
files+=(models/wearable-distress/weights.json)

for f in "${files[@]}"; do
  if [ ! -e "$f" ]; then echo "release: $f is missing (run npm run build, or npm install for the face models)" >&2; exit 1; fi
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
tar -cf - --exclude='*.tsbuildinfo' --exclude='.tsbuildinfo' "${files[@]}" | tar -xf - -C "$stage/$name"
# The dashboard ships as its build: without its scripts, `npm ci --omit=dev` does not try to run
# `svelte-kit sync` (a dev dependency) as the workspace's prepare step.
node -e '
  const fs = require("fs"); const f = process.argv[1]; const p = JSON.parse(fs.readFileSync(f, "utf8"));
  delete p.scripts; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$stage/$name/dashboard/package.json"
tarball="$(cd "$out" && pwd)/$name.tar.gz"
tar -czf "$tarball" -C "$stage" "$name"
echo "$tarball"
