import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, type ISynthesisSession, TerraformAsset, TerraformStack } from 'cdktf';

/**
 * A TerraformAsset of one staged file (type FILE) that keeps an up-to-date copy in the output.
 * cdktf's own synthesis deletes `assets/<id>/` and copies the file again on every synth: about 45
 * folders removed and rewritten per stack, a tenth of a synth. When `assets/<id>/` already holds
 * exactly `<hash>/<file>` with the same bytes, nothing is written; otherwise cdktf's synthesis runs.
 */
export class StagedFileAsset extends TerraformAsset {
  constructor(
    scope: Construct,
    id: string,
    readonly stagedPath: string,
  ) {
    super(scope, id, { path: stagedPath, type: AssetType.FILE });
  }
}

/** cdktf's synthesis of an asset: a private method its constructor binds through `this`. */
const cdktfAssetSynthesis = (TerraformAsset.prototype as unknown as Record<string, unknown>)._onSynthesize;
if (typeof cdktfAssetSynthesis !== 'function') {
  throw new Error('code-asset: cdktf TerraformAsset has no _onSynthesize (written for cdktf 0.21); review StagedFileAsset for this cdktf version');
}
// On the prototype, so that the constructor's `this._onSynthesize.bind(this)` picks it up.
Object.defineProperty(StagedFileAsset.prototype, '_onSynthesize', {
  value: function keepUpToDateCopy(this: StagedFileAsset, session: ISynthesisSession): void {
    const stackFile = session.manifest.forStack(TerraformStack.of(this)).synthesizedStackPath;
    const stackDir = join(session.manifest.outdir, stackFile, '..');
    const [named, hash, fileName] = [posix.dirname(posix.dirname(this.path)), posix.basename(posix.dirname(this.path)), posix.basename(this.path)];
    if (sameSingleFile(join(stackDir, named), hash, fileName, this.stagedPath)) return;
    (cdktfAssetSynthesis as (s: ISynthesisSession) => void).call(this, session);
  },
});

/** Whether `dir` holds only `<hash>/<fileName>`, with the bytes of `source`. */
function sameSingleFile(dir: string, hash: string, fileName: string, source: string): boolean {
  try {
    const entries = readdirSync(dir);
    if (entries.length !== 1 || entries[0] !== hash) return false;
    const files = readdirSync(join(dir, hash));
    if (files.length !== 1 || files[0] !== fileName) return false;
    return readFileSync(join(dir, hash, fileName)).equals(readFileSync(source));
  } catch {
    return false;
  }
}
