import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** smithy's `SourceData`: a string or any binary view. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * SHA-256 and HMAC-SHA-256 for `@smithy/signature-v4` on Node's native crypto (the signer's
 * `Checksum` constructor shape: `new (secret?)`, `update`, `digest`). The pure-JS
 * `@aws-crypto/sha256-js` took most of a verified request's CPU (a signature is ~9 hashes and
 * HMACs); this is the same digest from OpenSSL. local/credentials/sigv4.ts hands it to smithy's
 * canonical form, which needs a hash constructor (the verifier hashes with node:crypto itself).
 */
export class NodeSha256 {
  private hash: Hash | Hmac;

  private readonly secret?: string | Uint8Array;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }

  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}
