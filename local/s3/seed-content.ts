import type { ObjectStore } from './object-store';

/**
 * The demo content written when the bucket's folder is created: one public and one premium
 * document, so every persona has something to read or be refused.
 */
export const SEED_OBJECTS: readonly { readonly key: string; readonly body: string }[] = [
  {
    key: 'public/welcome.md',
    body: '# Welcome\n\nEveryone who signs in can read this page (the `public/` prefix).\n',
  },
  {
    key: 'premium/handbook.md',
    body: '# Subscriber handbook\n\nReadable only by roles whose policy grants the `premium/` prefix.\n',
  },
];

export function seedContent(store: ObjectStore): number {
  for (const o of SEED_OBJECTS) store.put(o.key, Buffer.from(o.body), 'text/markdown');
  return SEED_OBJECTS.length;
}
