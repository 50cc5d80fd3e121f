import * as samlify from 'samlify';

/**
 * samlify refuses every message until a schema validator is set. This one is libxml2
 * compiled to WebAssembly (`@authenio/samlify-xmllint-wasm`, xmllint-wasm): the SAML 2.0
 * XSDs, no native build, nothing downloaded. Each validation runs in a short-lived worker
 * (roughly a second on a loaded 2-core machine), once per SAML message.
 */
let set = false;
export function useSchemaValidator(): void {
  if (set) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require('@authenio/samlify-xmllint-wasm') as { validate(xml: string): Promise<unknown> };
  samlify.setSchemaValidator({ validate: (xml: string) => validator.validate(xml) });
  set = true;
}
