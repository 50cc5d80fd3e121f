import * as samlify from 'samlify';
import { validate } from '@authenio/samlify-node-xmllint';

/**
 * samlify refuses every message until a schema validator is set. This one is libxml2
 * compiled to JavaScript (node-xmllint): the SAML 2.0 XSDs, no native build, no download.
 */
let set = false;
export function useSchemaValidator(): void {
  if (set) return;
  samlify.setSchemaValidator({ validate });
  set = true;
}
