import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The browser page's files (local/page, served from the sources: tsc does not copy them). */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/** Files of a folder by URL path (`/` -> index.html), read once at start. */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of ['index.html', 'app.js', 'storage.js', 'sigv4.js', 'style.css']) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const entry = { type: TYPES[path.extname(name)], body: readFileSync(file) };
    files.set(`/${name}`, entry);
    if (name === 'index.html') files.set('/', entry);
  }
  return files;
}
