// A real aws-amplify v6 client in its own Node process, configured only from the local outputs
// (AMPLIFY_OUTPUTS): signs in with USER_PASSWORD_AUTH and asks fetchAuthSession() for
// identity-pool credentials. Prints one JSON line with what Amplify returned.
'use strict';

const { Amplify } = require('aws-amplify');
const { signIn, fetchAuthSession } = require('aws-amplify/auth');

async function main() {
  const outputs = JSON.parse(process.env.AMPLIFY_OUTPUTS);
  Amplify.configure({ Auth: outputs.Auth, Storage: outputs.Storage });
  await signIn({ username: process.env.EMAIL, password: process.env.PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  const session = await fetchAuthSession();
  const again = await fetchAuthSession();
  const c = session.credentials;
  process.stdout.write(
    `${JSON.stringify({
      identityId: session.identityId,
      sameIdentityAgain: again.identityId === session.identityId,
      credentials: c && { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration },
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stdout.write(`${JSON.stringify({ failed: String((e && e.message) || e), name: e && e.name })}\n`);
    process.exit(1);
  },
);
