#!/usr/bin/env bash
# npm run bench: how fast synth is, and the local endpoint under load.
#   1. synth (node dist/main.js, both stacks): wall time with hyperfine, peak RSS with /usr/bin/time -v
#   2. one articles GSI Query inside the DynamoDB emulator alone (scripts/bench/emulator-query.ts)
#   3. server CPU of one SRP sign-in in the local user pool (scripts/bench/srp-sign-in.ts)
#   4. the local endpoint beside a bare graphql-js server (autocannon; scripts/bench/run.ts)
# BENCH_SECONDS (default 10) bounds each autocannon run. Needs Debian's hyperfine and time.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (apt-get install -y hyperfine time)" >&2; exit 1; }
done
npm run --silent build

echo "== synth: node dist/main.js (dev + prod)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CDKTF_OUTDIR="$out/cdktf.out" hyperfine --warmup 1 --runs 10 --export-json .tmp/bench-synth.json 'node dist/main.js'
CDKTF_OUTDIR="$out/cdktf.out" /usr/bin/time -v node dist/main.js 2>&1 | grep -E 'Maximum resident set size|Elapsed \(wall clock\)'

echo "== synth compile: tsc -p tsconfig.synth.json (clean)"
hyperfine --runs 3 --prepare 'rm -f dist/.synth.tsbuildinfo' 'node_modules/.bin/tsc -p tsconfig.synth.json'

echo "== DynamoDB emulator alone (the articles GSI Query through the emulator thread)"
node dist/scripts/bench/emulator-query.js

echo "== local user pool: SRP sign-in (amazon-cognito-identity-js in a child process)"
node dist/scripts/bench/srp-sign-in.js

echo "== local endpoint"
node dist/scripts/bench/run.js
