import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LRUCache } from 'lru-cache';

/**
 * The content bucket's objects on disk (`<dataDir>/s3/<bucket>/`): one file per object, named by
 * the percent-encoded key (so no key can name a path outside the folder), and a `.meta.json`
 * beside it. Every write goes to a temporary file that is renamed into place: an object is
 * either the old or the new one, never half-written.
 */

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
}

const META = '.meta.json';
/** Bodies up to this size are kept in memory after a read; larger ones are read from disk each time. */
const CACHED_BODY_MAX = 1024 * 1024;

interface CachedObject {
  readonly object: StoredObject;
  readonly body?: Buffer;
  /** The metadata file's inode, mtime and size when this was read: any rewrite changes it. */
  readonly stamp: string;
}

function fileName(key: string): string {
  // encodeURIComponent leaves `.` alone: a key of only dots would still be a path segment.
  return `o-${encodeURIComponent(key).replace(/\./g, '%2E')}`;
}

function keyOf(file: string): string | undefined {
  if (!file.startsWith('o-') || file.endsWith(META) || file.endsWith('.tmp')) return undefined;
  return decodeURIComponent(file.slice(2));
}

export class ObjectStore {
  readonly dir: string;
  /** True when this start created the bucket's folder (seed it). */
  readonly created: boolean;

  constructor(dataDir: string, readonly bucket: string) {
    this.dir = path.join(dataDir, bucket);
    this.created = !existsSync(this.dir);
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Objects read before, kept while their metadata file is unchanged: one stat per request instead
   * of reading metadata and body again. Checked against the file (not only invalidated by put and
   * delete) because the files are the truth: anything that rewrites them, another ObjectStore on
   * the same folder included, replaces the metadata file (a rename: new inode), so the next
   * request reads it again.
   */
  private readonly cache = new LRUCache<string, CachedObject>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (c) => (c.body?.length ?? 0) + 512,
  });

  private load(key: string, withBody: boolean): CachedObject | undefined {
    const metaFile = path.join(this.dir, fileName(key) + META);
    const st = statSync(metaFile, { throwIfNoEntry: false });
    if (!st) {
      this.cache.delete(key);
      return undefined;
    }
    const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    const cached = this.cache.get(key);
    const bodyFile = path.join(this.dir, fileName(key));
    if (cached && cached.stamp === stamp) {
      if (!withBody || cached.body) return cached;
      // A body too large to cache: the metadata is current, only the body is read.
      return { ...cached, body: readFileSync(bodyFile) };
    }
    const m = JSON.parse(readFileSync(metaFile, 'utf8')) as { etag: string; contentType: string; lastModified: string };
    const body = withBody ? readFileSync(bodyFile) : undefined;
    const size = body?.length ?? statSync(bodyFile).size;
    const object = { key, size, etag: m.etag, contentType: m.contentType, lastModified: new Date(m.lastModified) };
    const entry = { object, body: body && body.length <= CACHED_BODY_MAX ? body : undefined, stamp };
    this.cache.set(key, entry);
    return { ...entry, body };
  }

  head(key: string): StoredObject | undefined {
    return this.load(key, false)?.object;
  }

  read(key: string): { object: StoredObject; body: Buffer } | undefined {
    const found = this.load(key, true);
    return found && { object: found.object, body: found.body! };
  }

  put(key: string, body: Buffer, contentType: string): StoredObject {
    const file = path.join(this.dir, fileName(key));
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, body);
    writeFileSync(`${tmp}${META}.tmp`, JSON.stringify({ etag, contentType, lastModified: lastModified.toISOString() }));
    // Body first, then metadata: an object is listed (meta exists) only once its body is whole.
    renameSync(tmp, file);
    renameSync(`${tmp}${META}.tmp`, file + META);
    this.cache.delete(key);
    return { key, size: body.length, etag, contentType, lastModified };
  }

  delete(key: string): void {
    const file = path.join(this.dir, fileName(key));
    rmSync(file + META, { force: true });
    rmSync(file, { force: true });
    this.cache.delete(key);
  }

  /** Keys in lexicographic (UTF-8 byte) order, as S3 lists them. */
  keys(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(META))
      .map((f) => keyOf(f.slice(0, -META.length)))
      .filter((k): k is string => k !== undefined)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
}
