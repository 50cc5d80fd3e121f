import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { startLocalStack, type TestLocalStack } from './helpers/local-stack';

/** The web app's client against the user-pool emulator, configured with local-outputs.json as written. */
describe('aws-amplify v6 against the local user pool', () => {
  let mode: TestLocalStack;
  beforeAll(async () => {
    mode = await startLocalStack();
    Amplify.configure(JSON.parse(JSON.stringify(mode.outputs)));
  });
  afterAll(async () => {
    await mode?.close();
  });

  test('signs in with the outputs config and refreshes tokens (GetTokensFromRefreshToken)', async () => {
    const user = mode.outputs.demoUsers.find((u) => u.groups.length > 0);
    const result = await signIn({ username: user?.email as string, password: user?.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    expect(result.isSignedIn).toBe(true);
    const first = await fetchAuthSession();
    expect(first.tokens?.idToken?.payload['cognito:groups']).toEqual(user?.groups);

    const refreshed = await fetchAuthSession({ forceRefresh: true });
    expect(refreshed.tokens?.accessToken.toString()).not.toBe(first.tokens?.accessToken.toString());
    expect(refreshed.tokens?.idToken?.payload.iss).toBe(mode.userPool.issuer);
    expect(refreshed.tokens?.idToken?.payload['cognito:groups']).toEqual(user?.groups);
    await signOut();
  });
});
