import type { ProjectConfig } from './types';

/**
 * The project: every group, client, identity provider, storage rule and API caller, named
 * once. The user pool, the role mapping, the schema checks, the local mode and the access
 * matrix are all derived from this object and `schema.graphql`.
 */
export const project: ProjectConfig = {
  name: 'content',
  region: 'eu-west-1',

  groups: [
    { name: 'admins', description: 'Run the place: every article, group membership', precedence: 1 },
    { name: 'editors', description: 'Write and publish articles', precedence: 2 },
    { name: 'subscribers', description: 'Read full premium articles', precedence: 3 },
  ],

  identityProviders: {
    google: {
      clientId: '123456789012-example.apps.googleusercontent.com',
      // The pool is admin-create-only: Google sign-up only for the company's own addresses.
      admission: { allowedEmailDomains: ['example.com'] },
    },
    saml: [
      {
        name: 'CorpSAML',
        metadataFile: 'config/saml/corp-idp-metadata.xml',
        groupsAttribute: 'http://schemas.xmlsoap.org/claims/Group',
        groupMapping: { 'content-editors': 'editors', 'content-readers': 'subscribers' },
        identifiers: ['corp.example.com'],
      },
    ],
    oidc: [
      {
        // A partner's OpenID Connect IdP; its client secret is TF_VAR_oidc_partneroidc_client_secret.
        name: 'PartnerOIDC',
        issuer: 'https://login.partner.example.net',
        clientId: 'content-cognito',
        groupsClaim: 'groups',
        groupMapping: { 'partner-writers': 'editors' },
        identifiers: ['partner.example.net'],
      },
    ],
  },

  storage: {
    rules: [
      { prefix: 'public/', read: 'authenticated' },
      {
        prefix: 'premium/',
        read: { groups: ['subscribers', 'editors', 'admins'] },
        write: { groups: ['editors', 'admins'] },
      },
      { prefix: 'private/{owner}/', read: 'owner', write: 'owner' },
    ],
  },

  api: {
    iamCallers: [
      // A backend indexer reads published articles with SigV4; it never sees gated fields.
      {
        name: 'content-indexer',
        principal: { service: 'lambda.amazonaws.com' },
        fields: ['Query.articles', 'Query.article'],
      },
    ],
    // Row rules in resolvers/ read these lists from ctx.env.
    groupVariables: {
      STAFF_GROUPS: ['editors', 'admins'], // see drafts through article(id)
      ADMIN_GROUPS: ['admins'], // update any article, not only their own
    },
    rowRules: [
      { field: 'Query.article', groups: [], rule: 'drafts only for editors and admins; others get null' },
      { field: 'Mutation.updateArticle', groups: ['editors'], rule: 'only articles they wrote (condition on authorId)' },
      { field: 'Query.groupMembers', groups: ['admins'], rule: 'only groups named in the config' },
      { field: 'Mutation.addUserToGroup', groups: ['admins'], rule: 'only groups named in the config' },
      { field: 'Mutation.removeUserFromGroup', groups: ['admins'], rule: 'only groups named in the config' },
    ],
  },

  environments: {
    dev: {
      mfa: 'OPTIONAL',
      // Threat protection is billed per monthly active user; dev has a handful of testers.
      featurePlan: 'ESSENTIALS',
      domainPrefix: 'content-dev-signin',
      introspection: true,
      waf: { enabled: false },
      deletionProtection: true,
      // Placeholder: an existing private, versioned bucket of your account.
      state: { bucket: 'content-terraform-state-example' },
      // What dev leaves out on purpose; `npm run compliance` shows each as WAIVED.
      relaxations: [
        { control: 'Cognito.1', reason: 'ESSENTIALS plan in dev: threat protection is billed per monthly active user' },
        { control: 'Cognito.4', reason: 'ESSENTIALS plan in dev: threat protection is billed per monthly active user' },
        { control: 'AwsSolutions-COG8', reason: 'ESSENTIALS plan in dev: the PLUS plan is billed per monthly active user' },
        { control: 'Cognito.5', reason: 'MFA is optional in dev so test users can sign in without an authenticator app' },
        { control: 'CKV2_AWS_33', reason: 'no WAF web ACL in dev: a web ACL and its rule are billed monthly' },
      ],
      webClient: {
        callbackUrls: ['http://localhost:3000/callback', 'https://dev.content.example.com/callback'],
        logoutUrls: ['http://localhost:3000/', 'https://dev.content.example.com/'],
      },
    },
    prod: {
      mfa: 'ON',
      featurePlan: 'PLUS',
      // Placeholder: an existing private, versioned bucket of your account (and optionally a KMS key).
      state: { bucket: 'content-terraform-state-example' },
      domainPrefix: 'content-signin',
      introspection: false,
      waf: { enabled: true, requestsPer5Minutes: 1000 },
      webClient: {
        callbackUrls: ['https://content.example.com/callback'],
        logoutUrls: ['https://content.example.com/'],
        refreshTokenValidityDays: 7,
      },
    },
  },

  local: {
    environment: 'dev',
    demoUsers: [
      { email: 'admin@example.com', groups: ['admins'] },
      { email: 'editor@example.com', groups: ['editors'] },
      { email: 'editor2@example.com', groups: ['editors'] },
      { email: 'subscriber@example.com', groups: ['subscribers'] },
      { email: 'reader@example.com' },
      // Admin-created: sets a new password at first sign-in (NEW_PASSWORD_REQUIRED).
      { email: 'newhire@example.com', groups: ['editors'], signIn: 'temporaryPassword' },
      // TOTP MFA set up: sign-in asks for a code (SOFTWARE_TOKEN_MFA).
      { email: 'mfa@example.com', groups: ['subscribers'], signIn: 'totp' },
    ],
    // People of the local Google and CorpSAML stand-ins (signed in on the IdP's own page).
    federatedUsers: [
      // content-editors is allow-listed: the pre-token trigger puts her in editors (staff maps to nothing).
      { idp: 'CorpSAML', email: 'jane.editor@corp.example.com', name: 'Jane Editor', idpGroups: ['content-editors', 'staff'] },
      // admins is not in CorpSAML's groupMapping: claiming it maps to no group.
      { idp: 'CorpSAML', email: 'mallory@corp.example.com', name: 'Mallory Claims', idpGroups: ['admins'] },
      // example.com is Google's admission domain: admitted.
      { idp: 'Google', email: 'gina@example.com', name: 'Gina Google' },
      // Outside the admission rule: the pre-sign-up trigger refuses (error=access_denied).
      { idp: 'Google', email: 'outsider@gmail.com', name: 'Otto Outsider' },
    ],
  },
};
