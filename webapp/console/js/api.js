// The admin API as the console uses it: the session cookie is sent by the browser (same origin only), every
// request says X-Requested-With so a 401 never makes the browser offer its own Basic password dialog.

/** An API error: its HTTP status, the field at fault (for a 400) and the server's words. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : 'HTTP ' + status);
    this.status = status;
    this.field = body && body.field ? body.field : null;
  }
}

const root = new URL('../api/', document.baseURI);

/** The API's URL for a path below /api/ (a string), or an absolute path the API gave out (Link: rel="next"). */
export const url = path => new URL(path, root);

/** Sends one request; answers {data, next} where next is the URL of the next page, if the answer is paged. */
export async function request(method, path, body, signal) {
  const init = { method, signal, credentials: 'same-origin', headers: { 'X-Requested-With': 'cloudpark-console', 'Accept': 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url(path), init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && onSignedOut) onSignedOut();
    throw new ApiError(response.status, data);
  }
  const link = response.headers.get('Link');
  const next = link && /<([^>]+)>;\s*rel="next"/.exec(link);
  return { data, next: next ? next[1] : null };
}

export const get = async (path, signal) => (await request('GET', path, undefined, signal)).data;

/** Called when the server says the session is over. */
let onSignedOut = null;
export function whenSignedOut(callback) { onSignedOut = callback; }

/** A path segment, escaped. */
export const seg = value => encodeURIComponent(value);
