import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Folders this test file made (jest loads this module once per file): `removeTemporaryDirs` removes them. */
const madeInThisFile: string[] = [];

/** A new folder `<prefix>…` in the temp folder, removed by `removeTemporaryDirs` after the file's tests. */
export function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  madeInThisFile.push(dir);
  return dir;
}

/** Removes every folder `temporaryDir` made in this file: call it in afterAll, after closing what writes to them. */
export function removeTemporaryDirs(): void {
  for (const dir of madeInThisFile.splice(0)) rmSync(dir, { recursive: true, force: true });
}
