/** The IdPs' sign-in page: one HTML form with inputs named `username` and `password`. */
import type { IncomingMessage } from 'node:http';
import { readForm as readBodyForm, type BodyLimit } from '../http-body';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function loginPage(options: {
  readonly title: string;
  readonly action: string;
  readonly hidden?: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly username?: string;
}): string {
  const hidden = Object.entries(options.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head><body>
<h1>${escapeHtml(options.title)}</h1><p>Local identity provider (loopback only). Users: local-outputs.json local.federatedUsers.</p>
${options.error ? `<p role="alert" class="error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">${hidden}
<label>Email <input name="username" type="email" autocomplete="username" value="${escapeHtml(options.username ?? '')}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;
}

/** The SAML HTTP-POST binding's page: a form that posts itself to the service provider. */
export function autoPostPage(action: string, fields: Readonly<Record<string, string>>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Signing in</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(action)}">${inputs}
<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}

/** The IdPs' and the gateway's form posts (a few fields, a SAML response): 64 KiB is ample. */
const FORM_LIMIT: BodyLimit = { maxBytes: 65_536, tooLarge: () => new Error('form body larger than 64 KiB') };

/** Reads an `application/x-www-form-urlencoded` body (at most 64 KiB). */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return readBodyForm(req, FORM_LIMIT);
}
