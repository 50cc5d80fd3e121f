import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppSyncSchema } from './appsync-schema';
import { createAuthModel } from './auth-model';
import { AccessMatrix, buildMatrix, MatrixConfig } from './matrix';
import { renderMatrixMarkdown } from './matrix-markdown';
import { apiAuthFromConfig } from './project-access';

/** Where `npm run access` writes the matrix, relative to the repository root. */
export const MATRIX_MD = 'docs/access-matrix.md';
export const MATRIX_JSON = 'docs/access-matrix.json';

/** The matrix of a schema text under a config (the same path for the working tree and a git ref). */
export function matrixOf(config: MatrixConfig, sdl: string): AccessMatrix {
  return buildMatrix(createAuthModel(buildAppSyncSchema(sdl), apiAuthFromConfig(config)), config);
}

/** The two generated files' contents. */
export function matrixFiles(matrix: AccessMatrix): Record<string, string> {
  return {
    [MATRIX_MD]: renderMatrixMarkdown(matrix),
    [MATRIX_JSON]: JSON.stringify(matrix, null, 2) + '\n',
  };
}

/** Generated files whose committed copy under `root` differs from `files` (missing counts as stale). */
export function staleFiles(root: string, files: Record<string, string>): string[] {
  return Object.entries(files)
    .filter(([path, text]) => {
      try {
        return readFileSync(join(root, path), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
}
