// aws-amplify v6 sign-in with challenges, in its own Node process, configured from the local
// outputs (AMPLIFY_OUTPUTS). Default signIn (USER_SRP_AUTH), then confirmSignIn for each step.
// Prints one JSON line per step on stdout. FLOW:
//   newPassword  signIn -> NEW_PASSWORD_REQUIRED; confirmSignIn(BAD_PASSWORD) (expect refusal);
//                confirmSignIn(NEW_PASSWORD) -> DONE; signOut; signIn(NEW_PASSWORD) -> DONE
//   totp         signIn -> TOTP code; confirmSignIn(wrong code) (expect refusal); confirmSignIn(code) -> DONE
//   totpSetup    signIn -> TOTP setup (MFA_SETUP); confirmSignIn(code for the shared secret) -> DONE
'use strict';

const { Amplify } = require('aws-amplify');
const { signIn, confirmSignIn, signOut, fetchAuthSession } = require('aws-amplify/auth');
const { TOTP, Secret } = require('otpauth');

const say = (step, value) => process.stdout.write(`${JSON.stringify({ step, ...value })}\n`);
const code = (secret) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
/** A code that is not the current one (nor the neighbouring steps'). */
const wrongCode = (secret) => {
  const t = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const near = [-1, 0, 1].map((i) => t.generate({ timestamp: Date.now() + i * 30_000 }));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!near.includes(c)) return c;
  }
};
const errorOf = (e) => ({ name: e.name, message: e.message });

async function groups() {
  const s = await fetchAuthSession();
  return s.tokens.idToken.payload['cognito:groups'] ?? [];
}

async function main() {
  const outputs = JSON.parse(process.env.AMPLIFY_OUTPUTS);
  Amplify.configure({ Auth: outputs.Auth });
  const { EMAIL: username, PASSWORD: password } = process.env;
  const first = await signIn({ username, password });
  say('signIn', { isSignedIn: first.isSignedIn, nextStep: first.nextStep.signInStep });
  const flow = process.env.FLOW;
  if (flow === 'newPassword') {
    try {
      await confirmSignIn({ challengeResponse: process.env.BAD_PASSWORD });
      say('badPassword', { refused: false });
    } catch (e) {
      say('badPassword', { refused: true, ...errorOf(e) });
    }
    const done = await confirmSignIn({ challengeResponse: process.env.NEW_PASSWORD });
    say('newPassword', { isSignedIn: done.isSignedIn, nextStep: done.nextStep.signInStep, groups: await groups() });
    await signOut();
    const again = await signIn({ username, password: process.env.NEW_PASSWORD });
    say('signInAgain', { isSignedIn: again.isSignedIn, nextStep: again.nextStep.signInStep });
    return;
  }
  if (flow === 'totp') {
    try {
      await confirmSignIn({ challengeResponse: wrongCode(process.env.TOTP_SECRET) });
      say('wrongCode', { refused: false });
    } catch (e) {
      say('wrongCode', { refused: true, ...errorOf(e) });
    }
    const done = await confirmSignIn({ challengeResponse: code(process.env.TOTP_SECRET) });
    say('code', { isSignedIn: done.isSignedIn, nextStep: done.nextStep.signInStep, groups: await groups() });
    return;
  }
  if (flow === 'totpSetup') {
    const secret = first.nextStep.totpSetupDetails.sharedSecret;
    const done = await confirmSignIn({ challengeResponse: code(secret) });
    say('setup', { isSignedIn: done.isSignedIn, nextStep: done.nextStep.signInStep, secret });
    return;
  }
  throw new Error(`unknown FLOW ${flow}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    say('failed', errorOf(e));
    process.exit(1);
  },
);
