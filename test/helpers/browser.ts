import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import type { TestLocalStack } from './local-stack';

/** Debian's Chromium: the browser tests drive a real one, never a downloaded build. */
const CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing that would call out to Google's services from a test. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Chromium accepts the local servers' certificate by its key: `--ignore-certificate-errors-spki-list`
 * skips every certificate error for that key (the host name and the dates included), which is
 * more lenient than a developer who imported the local CA; a certificate with any other key
 * still fails. So the browser tests do not check the certificate's names: the Node tests do
 * (e.g. `<bucket>.localhost` in test/local-amplify-storage.test.ts).
 */
function localCertificatePin(stack: TestLocalStack): string {
  const cert = new X509Certificate(readFileSync(path.join(stack.dataDir, 'tls', 'cert.pem')));
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return `--ignore-certificate-errors-spki-list=${spki}`;
}

function chromiumArgs(stack: TestLocalStack, extraArgs: readonly string[]): string[] {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
  return [...FLAGS, localCertificatePin(stack), ...extraArgs];
}

/** Chromium trusting the stack's certificate; fresh contexts (`browser.newContext()`) share no cookies. */
export function launchBrowser(stack: TestLocalStack, extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(stack, extraArgs) });
}

/** A persistent browser profile in a temporary folder that `close()` removes with the browser. */
export interface BrowserProfile {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with its own temporary profile (named `<name>-…` in the temp folder), trusting the stack's certificate. */
export async function launchProfile(stack: TestLocalStack, name: string, extraArgs: readonly string[] = []): Promise<BrowserProfile> {
  const args = chromiumArgs(stack, extraArgs);
  const userDataDir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
}
