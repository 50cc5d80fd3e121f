/**
 * The managed login's HTML: the sign-in form (inputs `username` and `password`, as Cognito's
 * classic hosted UI), the change-password and code pages, and the error page. No script.
 */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}
.error{color:#a00}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function hidden(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
}

function errorLine(message: string | undefined): string {
  return message ? `<p class="error" id="error" role="alert">${escapeHtml(message)}</p>` : '';
}

/** `action` carries the authorization request's query, as Cognito's /login form does. */
export function loginPage(o: { action: string; csrf: string; error?: string; username?: string; providers: readonly string[]; providerLink: (p: string) => string }): string {
  const idps = o.providers.map((p) => `<p><a class="idp" href="${escapeHtml(o.providerLink(p))}">Sign in with ${escapeHtml(p)}</a></p>`).join('\n');
  return layout(
    'Sign in',
    `${errorLine(o.error)}
<form method="post" action="${escapeHtml(o.action)}">
${hidden({ _csrf: o.csrf })}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="${escapeHtml(o.username ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="signInSubmitButton">Sign in</button>
</form>
${idps}`
  );
}

export function newPasswordPage(o: { action: string; csrf: string; session: string; error?: string }): string {
  return layout(
    'Change password',
    `<p>Please enter a new password.</p>
${errorLine(o.error)}
<form method="post" action="${escapeHtml(o.action)}">
${hidden({ _csrf: o.csrf, session: o.session })}
<label for="new_password">New password</label><input id="new_password" name="new_password" type="password" autocomplete="new-password" required>
<label for="confirm_password">Enter new password again</label><input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required>
<button type="submit">Send</button>
</form>`
  );
}

export function mfaPage(o: { action: string; csrf: string; session: string; error?: string }): string {
  return layout(
    'Multi-factor authentication',
    `<p>Enter the code from your authenticator app.</p>
${errorLine(o.error)}
<form method="post" action="${escapeHtml(o.action)}">
${hidden({ _csrf: o.csrf, session: o.session })}
<label for="totpCode">Code</label><input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Sign in</button>
</form>`
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<p class="error" id="error" role="alert">${escapeHtml(message)}</p>`);
}
