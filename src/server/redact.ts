/**
 * Credentials never reach the logs: a URL is logged with the user-info part and the values of
 * credential-like query parameters (token, access_token, key, secret, password, auth, sig, …)
 * replaced by `[REDACTED]`. The server only takes the token from the Authorization header, but
 * a client may still put it in a query string.
 */
const SECRET_KEY = /token|secret|passw|pwd|key|auth|sig|credential|session|bearer/i;
export const REDACTED = '[REDACTED]';

export function redactUrl(url: string | undefined): string {
  if (url === undefined) return '';
  let s = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/i, `$1${REDACTED}@`);
  const q = s.indexOf('?');
  if (q < 0) return s;
  const h = s.indexOf('#', q);
  const query = s.slice(q + 1, h < 0 ? undefined : h);
  const frag = h < 0 ? '' : s.slice(h);
  const parts = query.split('&').map((kv) => {
    const i = kv.indexOf('=');
    let key = i < 0 ? kv : kv.slice(0, i);
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      /* keep it raw */
    }
    // A bare value (no key) may be the token itself: redact anything long enough to be one.
    if (i < 0) return kv.length >= 16 ? REDACTED : kv;
    return SECRET_KEY.test(key) ? `${kv.slice(0, i)}=${REDACTED}` : kv;
  });
  s = `${s.slice(0, q)}?${parts.join('&')}${frag}`;
  return s;
}
