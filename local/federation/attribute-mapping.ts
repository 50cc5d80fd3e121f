/**
 * Cognito's attribute mapping for a federated sign-in: `attribute_mapping` of the stack's
 * identity provider (Cognito attribute -> IdP attribute). `username` names the IdP attribute
 * that is the user's id (the `<Provider>_<id>` suffix), not a user attribute. A multi-valued
 * IdP attribute (SAML groups) is stored as Cognito stores it: `[a, b]`.
 */

/** The IdP's attributes: OIDC claims, or SAML attribute name -> value(s). */
export type IdpAttributes = Record<string, string | string[]>;

function attributeValue(value: string | readonly string[]): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : (value as string);
}

export function mapAttributes(
  mapping: Readonly<Record<string, string>>,
  idp: IdpAttributes,
  userIdFallback: string,
): { userId: string; attributes: Record<string, string> } {
  const attributes: Record<string, string> = {};
  let userId = userIdFallback;
  for (const [cognito, source] of Object.entries(mapping)) {
    const value = idp[source];
    if (value === undefined) continue;
    if (cognito === 'username') userId = Array.isArray(value) ? value[0] : value;
    else attributes[cognito] = attributeValue(value);
  }
  if (!userId) throw new Error('the identity provider sent no user id');
  return { userId, attributes };
}
