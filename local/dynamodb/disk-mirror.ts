/**
 * Keeps the local mode's DynamoDB data on disk while dynalite reads it from memory.
 *
 * dynalite can keep its store in LevelDB on disk (classic-level), but then every read crosses
 * to libuv's thread pool and back: on this 2-core machine that cost the articles query ~80 µs
 * of CPU and most of its latency. Instead dynalite runs on an in-memory store (memory-level,
 * its own choice when given no path), filled from the LevelDB folder at start; every write the
 * store makes (abstract-level's public `write` event: puts, deletes and batches, with their
 * encoded bytes) is applied to the folder in the same order, batched while a write is on its
 * way. The folder's format is what dynalite itself writes there (utf8 keys, JSON values), so
 * data kept by earlier versions of the local mode opens unchanged.
 *
 * Durability is LevelDB's default (written, not fsync'ed, like dynalite on disk): a clean stop
 * waits for every write; a killed process may lose the last few milliseconds of writes.
 */
import { ClassicLevel } from 'classic-level';
import { UserFacingError } from '../../config/errors';

/**
 * What this needs of the in-memory store: abstract-level's batch and `write` event. (dynalite
 * replaces `batch` by a `(operations, callback)` function: encodings go on each operation.)
 */
export interface MirroredLevel {
  batch(operations: (BufferOperation & { keyEncoding: 'buffer'; valueEncoding: 'buffer' })[]): Promise<void>;
  on(event: 'write', listener: (operations: WriteEventOperation[]) => void): void;
}

type BufferOperation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** One operation of a `write` event (abstract-level 3), with the bytes the store keeps. */
interface WriteEventOperation {
  type: 'put' | 'del';
  encodedKey: Uint8Array | string;
  encodedValue?: Uint8Array | string;
}

const toBuffer = (data: Uint8Array | string) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

/** The LevelDB folder, as the mirror uses it (classic-level). */
export type DiskFolder = Pick<ClassicLevel<Buffer, Buffer>, 'open' | 'close' | 'iterator' | 'batch'>;

export interface DiskMirror {
  /** Resolves when every write made so far is on disk (rejects with the first failure). */
  flushed(): Promise<void>;
  /** Flushes, then closes the folder. */
  close(): Promise<void>;
}

/**
 * Loads `dir` into `memory` (empty), then mirrors every later write of `memory` to `dir`.
 * `onFailure` is called once, at the first write the folder refuses (disk full, removed, ...):
 * from then on nothing more is saved, so the caller should stop rather than serve data that
 * would be gone at the next start.
 */
export async function mirrorToDisk(
  memory: MirroredLevel,
  dir: string,
  onFailure: (err: Error) => void,
  /** How the folder is opened (tests pass one that fails). */
  openFolder: (dir: string) => DiskFolder = (folder) => new ClassicLevel<Buffer, Buffer>(folder, { keyEncoding: 'buffer', valueEncoding: 'buffer' }),
): Promise<DiskMirror> {
  const disk = openFolder(dir);
  try {
    await disk.open();
    const entries: BufferOperation[] = [];
    for await (const [key, value] of disk.iterator()) entries.push({ type: 'put', key, value });
    // Before the listener: loading is not a write to mirror back.
    if (entries.length > 0) await memory.batch(entries.map((op) => ({ ...op, keyEncoding: 'buffer', valueEncoding: 'buffer' })));
  } catch (err) {
    await disk.close();
    const cause = (err as Error & { cause?: Error }).cause;
    const reason = cause ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
    throw new UserFacingError(
      { location: dir, problem: `could not load the DynamoDB data: ${reason}`, fix: 'start with --reset to begin empty' },
      `could not load the DynamoDB data in ${dir}: ${reason} (start with --reset to begin empty)`,
    );
  }

  let queued: BufferOperation[] = [];
  let writing: Promise<void> = Promise.resolve();
  let failure: Error | undefined;

  const writeQueued = async (): Promise<void> => {
    while (queued.length > 0 && !failure) {
      const operations = queued;
      queued = [];
      try {
        await disk.batch(operations);
      } catch (err) {
        failure = new Error(`could not save DynamoDB data to ${dir}: ${(err as Error).message}`);
        onFailure(failure);
      }
    }
  };

  memory.on('write', (operations) => {
    for (const op of operations) {
      const key = toBuffer(op.encodedKey);
      queued.push(op.type === 'put' ? { type: 'put', key, value: toBuffer(op.encodedValue!) } : { type: 'del', key });
    }
    // One writer at a time keeps the folder's order the store's order.
    if (queued.length === operations.length) writing = writing.then(writeQueued);
  });

  const flushed = async () => {
    // Writes made while waiting chain behind: wait until no newer one was chained.
    for (let current = writing; ; current = writing) {
      await current;
      if (current === writing) break;
    }
    if (failure) throw failure;
  };
  return {
    flushed,
    async close() {
      try {
        await flushed();
      } finally {
        await disk.close();
      }
    },
  };
}
