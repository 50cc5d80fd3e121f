import { archiverStandIn } from './defer-archiver';

// The synth bundle's `archiver` (constructs/synth-bundle.ts aliases it here): cdktf's own
// archiver, loaded only if an ARCHIVE asset ever calls it (constructs/defer-archiver.ts).
export = archiverStandIn;
