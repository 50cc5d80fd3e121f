import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

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

  head(key: string): StoredObject | undefined {
    const meta = path.join(this.dir, fileName(key) + META);
    if (!existsSync(meta)) return undefined;
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { etag: string; contentType: string; lastModified: string };
    const size = statSync(path.join(this.dir, fileName(key))).size;
    return { key, size, etag: m.etag, contentType: m.contentType, lastModified: new Date(m.lastModified) };
  }

  read(key: string): { object: StoredObject; body: Buffer } | undefined {
    const object = this.head(key);
    return object && { object, body: readFileSync(path.join(this.dir, fileName(key))) };
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
    return { key, size: body.length, etag, contentType, lastModified };
  }

  delete(key: string): void {
    const file = path.join(this.dir, fileName(key));
    rmSync(file + META, { force: true });
    rmSync(file, { force: true });
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
