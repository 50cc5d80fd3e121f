import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { UserFacingError } from '../config/errors';

/** Where local data lives by default (git-ignored). */
export const DEFAULT_DATA_DIR = '.local-data';

/** The lock file's name inside the data directory. */
export const LOCK_FILE = '.lock';

export interface DataLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process. Two local modes on one directory would corrupt
 * the pool files and fail deep inside LevelDB; this says so up front. A lock left by a process
 * that no longer runs (a crash) is taken over.
 */
export function lockDataDir(dataDir: string): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new UserFacingError({ location: dataDir, problem: `is in use by another local mode (pid ${holder})`, fix: 'stop it, or start with another --data-dir' }, `${dataDir} is in use by another local mode (pid ${holder}): stop it, or start with another --data-dir`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}: ${file} keeps reappearing`);
}
