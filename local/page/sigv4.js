// AWS Signature Version 4 for the local page, on WebCrypto: signs the page's S3 and STS requests
// with the identity-pool credentials of the signed-in persona (header form: host, x-amz-date,
// x-amz-content-sha256, x-amz-security-token). The local services verify it like AWS does.
'use strict';

(() => {
  const encoder = new TextEncoder();
  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const bytes = (data) => (typeof data === 'string' ? encoder.encode(data) : data);
  const sha256Hex = async (data) => hex(await crypto.subtle.digest('SHA-256', bytes(data)));
  async function hmac(key, data) {
    const k = await crypto.subtle.importKey('raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return crypto.subtle.sign('HMAC', k, encoder.encode(data));
  }
  /** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
  const uriEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  /**
   * The headers to send with a request to `url` (a URL whose path is already encoded as it will be
   * sent). `body` (a string or bytes) is hashed; S3 requests without one sign UNSIGNED-PAYLOAD.
   */
  async function sign({ method, url, body, region, service, credentials }) {
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const date = amzDate.slice(0, 8);
    const payloadHash = body === undefined && service === 's3' ? 'UNSIGNED-PAYLOAD' : await sha256Hex(body ?? '');
    const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate, 'x-amz-security-token': credentials.sessionToken };
    const names = Object.keys(headers).sort();
    // Sorted by encoded name, then value (not as whole `name=value` strings: `=` sorts after `-`).
    const query = [...url.searchParams]
      .map(([k, v]) => [uriEncode(k), uriEncode(v)])
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [method, url.pathname, query, `${names.map((n) => `${n}:${headers[n]}`).join('\n')}\n`, names.join(';'), payloadHash].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${await sha256Hex(canonical)}`;
    let key = await hmac(`AWS4${credentials.secretAccessKey}`, date);
    for (const part of [region, service, 'aws4_request']) key = await hmac(key, part);
    const signature = hex(await hmac(key, toSign));
    const { host: _host, ...sent } = headers; // the browser sends Host itself
    return { ...sent, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
  }

  window.localSigV4 = { sign, uriEncode };
})();
