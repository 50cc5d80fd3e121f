/**
 * HTTP: sends AppSync's HTTP request object ({ method, resourcePath, params: { query, headers,
 * body } }) to the data source endpoint, signed with SigV4 when the data source is, and hands
 * back `{ statusCode, headers, body }` like AppSync. A status >= 300 is a result, not an error:
 * the response handler decides (only a failed connection sets `ctx.error`).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DataSourceInvoker, DataSourceOutcome } from './types';
import { RequestShapeError, requestRecord } from './types';
import type { AwsCredentials } from '../../aws-credentials';

export interface HttpDataSourceOptions {
  name: string;
  /** Base URL the resourcePath is appended to. */
  endpoint: string;
  /** SigV4 region/service; undefined sends the request unsigned. */
  signing?: { region: string; service: string };
  credentials: AwsCredentials;
  timeoutMs: number;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** `https://cognito-idp.eu-west-1.amazonaws.com` -> { service: 'cognito-idp', region: 'eu-west-1' }. */
export function signingFromEndpoint(endpoint: string): { region: string; service: string } | undefined {
  const match = /^([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(new URL(endpoint).hostname);
  return match ? { service: match[1], region: match[2] } : undefined;
}

export class HttpDataSource implements DataSourceInvoker {
  private readonly signer?: SignatureV4;

  constructor(private readonly options: HttpDataSourceOptions) {
    if (options.signing) {
      this.signer = new SignatureV4({
        credentials: options.credentials,
        region: options.signing.region,
        service: options.signing.service,
        sha256: Sha256,
      });
    }
  }

  async invoke(requestObject: unknown): Promise<DataSourceOutcome> {
    const { name, timeoutMs } = this.options;
    const request = requestRecord(name, requestObject);
    const method = String(request.method ?? '').toUpperCase();
    if (!METHODS.includes(method)) {
      throw new RequestShapeError(name, `method must be one of ${METHODS.join(', ')}, got ${JSON.stringify(request.method)}`);
    }
    if (typeof request.resourcePath !== 'string' || !request.resourcePath.startsWith('/')) {
      throw new RequestShapeError(name, `resourcePath must be a string starting with "/", got ${JSON.stringify(request.resourcePath)}`);
    }
    const params = (request.params ?? {}) as { query?: Record<string, unknown>; headers?: Record<string, string>; body?: unknown };
    const url = new URL(this.options.endpoint);
    url.pathname = `${url.pathname.replace(/\/$/, '')}${request.resourcePath}`;
    for (const [key, value] of Object.entries(params.query ?? {})) url.searchParams.set(key, String(value));
    const body = params.body === undefined || params.body === null ? undefined : typeof params.body === 'string' ? params.body : JSON.stringify(params.body);
    const headers = await this.sign(method, url, { ...(params.headers ?? {}) }, body);

    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      return { result: null, error: { message: `HTTP request to ${url.origin} failed: ${cause}`, type: 'HTTP:ConnectionError' } };
    }
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      responseHeaders[key] = value;
    });
    return { result: { statusCode: response.status, headers: responseHeaders, body: await response.text() } };
  }

  private async sign(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<Record<string, string>> {
    if (!this.signer) return headers;
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: { ...headers, host: url.host },
      body,
    });
    // fetch sets Host itself from the URL.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  }
}
