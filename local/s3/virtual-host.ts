/**
 * The bucket's virtual host under `localhost` (`<bucket>.localhost`), which browsers resolve to
 * loopback by themselves (RFC 6761: no DNS, no hosts file) and the local certificate names.
 * Undefined for a bucket name with a dot: clients address those path-style (aws-amplify does),
 * and the S3 endpoint admits no virtual host for it. A module of its own: `npm start` reads it
 * without loading the S3 endpoint.
 */
export function bucketVirtualHost(bucket: string): string | undefined {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) ? `${bucket}.localhost` : undefined;
}
