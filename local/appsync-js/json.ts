/**
 * AppSync passes values between handlers, data sources and GraphQL as JSON. Copying through
 * JSON reproduces that (undefined properties vanish, Dates become strings) and turns objects
 * made inside a resolver's VM context into plain objects of this realm.
 */
export function jsonCopy<T = unknown>(value: unknown): T {
  return (value === undefined ? null : JSON.parse(JSON.stringify(value))) as T;
}
