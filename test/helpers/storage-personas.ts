import { ObjectStore } from '../../local/s3/object-store';

/** Where in the content bucket: `own` and `other` are the persona's and another user's `private/<sub>/`. */
export type StoragePlace = 'public' | 'premium' | 'own' | 'other';
export type StorageCell = 'read' | 'write' | 'list';

/**
 * What the synthesized dev stack's role policies allow each demo persona in the content bucket,
 * written out by hand: one expectation for every client the tests drive (S3Client, aws-amplify
 * Storage), so they cannot drift apart.
 */
export const STORAGE_ALLOWED: Readonly<Record<string, Record<StoragePlace, StorageCell[]>>> = {
  'admin@example.com': { public: ['read', 'list'], premium: ['read', 'write', 'list'], own: ['read', 'write', 'list'], other: [] },
  'editor@example.com': { public: ['read', 'list'], premium: ['read', 'write', 'list'], own: ['read', 'write', 'list'], other: [] },
  'subscriber@example.com': { public: ['read', 'list'], premium: ['read', 'list'], own: ['read', 'write', 'list'], other: [] },
  'reader@example.com': { public: ['read', 'list'], premium: [], own: ['read', 'write', 'list'], other: [] },
};

/**
 * Writes an object in a private folder as its owner would have, through the store, so a test
 * does not depend on another persona's rights.
 */
export function seedPrivateObject(dataDir: string, bucket: string, key: string): void {
  new ObjectStore(`${dataDir}/s3`, bucket).put(key, Buffer.from(`notes of ${key}`), 'text/markdown');
}
