#!/usr/bin/env bash
# npm run bench: every figure of the README's "Measured" table, each beside its goal, into .tmp/bench.json.
#   1. synth, side by side in one hyperfine run: the app (`SYNTH_FORCE=1 node dist/main.js`, dev + prod:
#      the synth bundle through its code cache), the same app as its modules (SYNTH_BUNDLE=0), its floor
#      (node + require of exactly the cdktf/provider modules synth loads), a no-change `npm run synth`
#      (its up-to-date check skips the app: constructs/synth-record.ts) and the same forced;
#      then `npx cdktf synth` (what `cdktf deploy` runs first); peak RSS with /usr/bin/time -v;
#      child processes synth starts (main thread; esbuild's service runs from its worker thread)
#   2. one articles GSI Query inside the DynamoDB emulator alone (scripts/bench/emulator-query.ts)
#   3. server CPU of one SRP sign-in in the local user pool (scripts/bench/srp-sign-in.ts), and of
#      one code + PKCE exchange at the managed login (scripts/bench/pkce-exchange.ts); into .tmp/bench-{srp,pkce}.json
#   4. the local endpoint beside the Amplify AppSync simulator and a bare graphql-js server, first
#      `npm start` in a fresh copy, start times, memory (autocannon at saturation, and `articles` at
#      a fixed offered rate: scripts/bench/paced-load.ts; scripts/bench/run.ts)
#   5. the AWS-credentials plane: S3 GetObject under policy evaluation, GetCredentialsForIdentity
#      (scripts/bench/aws-plane.ts; into .tmp/bench-aws.json)
#   6. scale: 0, 1,000 and 5,000 generated gated fields over 20 groups in a temp copy (scripts/bench/scale.ts)
#   7. scripts/bench/report.ts merges the parts into .tmp/bench.json and prints figure vs goal;
#      `npm run bench:readme` writes them into README.md.
# Env: BENCH_SECONDS (default 10) per load run, BENCH_RATE (default 1000) req/s offered in the
# fixed-rate rows, BENCH_SYNTH_RUNS (default 10), BENCH_SCALE_RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."

need() { # <command> <Debian package>
  command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is missing: install the Debian package '$2' (apt-get install -y $2)" >&2; exit 1; }
}
need hyperfine hyperfine
need /usr/bin/time time
need git git

mkdir -p .tmp
cat /proc/loadavg | cut -d" " -f1-3 > .tmp/bench-load-start.txt
rm -f .tmp/bench-*.json .tmp/bench.json
echo "== build (type-check + emit)"
npm run --silent build

runs="${BENCH_SYNTH_RUNS:-10}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export CDKTF_OUTDIR="$out/cdktf.out" CHECKPOINT_DISABLE=1
# The cdktf/provider modules synth loads, for the floor: recorded from the app run as its modules
# (SYNTH_BUNDLE=0), since the synth bundle (constructs/synth-bundle.ts) loads none of them as files.
SYNTH_BUNDLE=0 BENCH_MODULES_OUT=.tmp/synth-modules.json node --require ./scripts/bench/record-modules.js dist/main.js
# Also (re)builds the synth bundle and its code cache, as the first synth after a build does.
SPAWN_LOG=.tmp/synth-spawns.json node --require ./scripts/bench/record-spawns.js dist/main.js

echo "== synth, side by side (hyperfine, $runs runs each)"
# The app rows are forced (SYNTH_FORCE=1): with nothing changed, `node dist/main.js` would skip the
# app (constructs/synth-record.ts). The no-change rows are not: that skip is what they measure.
hyperfine --warmup 1 --runs "$runs" --export-json .tmp/bench-synth.json \
  -n 'app: node dist/main.js' 'SYNTH_FORCE=1 node dist/main.js' \
  -n 'app as its modules: SYNTH_BUNDLE=0 node dist/main.js' 'SYNTH_FORCE=1 SYNTH_BUNDLE=0 node dist/main.js' \
  -n 'floor: node + require of the cdktf/provider modules synth loads' 'node scripts/bench/floor.js .tmp/synth-modules.json' \
  -n 'npm run synth (nothing changed)' 'npm run --silent synth' \
  -n 'the synth script without npm: node scripts/transpile.js --run dist/main.js' 'node scripts/transpile.js --run dist/main.js' \
  -n "npm's own start-up: npm --version" 'npm --version' \
  -n 'npm run synth, forced (SYNTH_FORCE=1)' 'SYNTH_FORCE=1 npm run --silent synth'
echo "== npx cdktf synth (3 runs; cdktf-cli's own start-up included)"
# Forced too: the app cdktf-cli runs would skip on runs 2 and 3 (it does, correctly, for a deploy).
hyperfine --runs 3 --export-json .tmp/bench-cdktf-synth.json -n 'npx cdktf synth' "SYNTH_FORCE=1 npx cdktf synth --output $out/cdktf-cli.out"

echo "== synth peak memory (/usr/bin/time -v, 3 runs)"
for i in 1 2 3; do
  SYNTH_FORCE=1 /usr/bin/time -v node dist/main.js 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p'
done > .tmp/synth-rss-kb.txt
cat .tmp/synth-rss-kb.txt

# The steps below read the project's own synthesized stack (cdktf.out), as `npm start` does: a fresh
# clone has none yet.
unset CDKTF_OUTDIR
node dist/main.js

echo "== DynamoDB emulator alone (the articles GSI Query through the emulator thread)"
node dist/scripts/bench/emulator-query.js

echo "== local user pool: SRP sign-in (amazon-cognito-identity-js in a child process)"
node dist/scripts/bench/srp-sign-in.js

echo "== managed login: code + PKCE exchange (plain fetch in a child process, as a browser would)"
node dist/scripts/bench/pkce-exchange.js

echo "== local endpoint, the Amplify AppSync simulator, start times"
node dist/scripts/bench/run.js

echo "== AWS-credentials plane (S3 GetObject, GetCredentialsForIdentity)"
node dist/scripts/bench/aws-plane.js

echo "== scale"
node dist/scripts/bench/scale.js

node dist/scripts/bench/report.js
