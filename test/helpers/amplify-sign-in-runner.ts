import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Runs test/helpers/amplify-sign-in.js; resolves with its JSON lines once it exits. */
export function amplifySignIn(cognito: { userPoolId: string; userPoolClientId: string; userPoolEndpoint: string }, env: Record<string, string>) {
  const outputs = { Auth: { Cognito: { ...cognito, loginWith: { email: true } } } };
  return new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'amplify-sign-in.js')], {
      env: { ...process.env, ...env, AMPLIFY_OUTPUTS: JSON.stringify(outputs) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', () => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      if (lines.length === 0) reject(new Error(`amplify-sign-in printed nothing; stderr: ${err.slice(-2000)}`));
      else resolve(lines);
    });
  });
}
