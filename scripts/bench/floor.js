'use strict';
// The floor of a synth: node itself plus `require` of exactly the cdktf / constructs / provider
// modules synth loads (the list record-modules.js wrote), and nothing else. Like synth, it defers
// cdktf's `archiver` first (dist/constructs/defer-archiver.js), which synth never loads.
// Usage: node scripts/bench/floor.js <modules.json>
require('../../dist/constructs/defer-archiver.js');
for (const file of JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'))) require(file);
