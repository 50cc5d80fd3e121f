#!/usr/bin/env bash
# npm run bench: build, then load-test the local endpoint beside a bare graphql-js server.
# BENCH_SECONDS (default 10) bounds each of the three autocannon runs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
node dist/scripts/bench/run.js
