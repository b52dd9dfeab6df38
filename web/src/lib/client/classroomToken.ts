/**
 * A classroom's join token: it arrives in the link (`?t=…`) and is kept in
 * sessionStorage per lesson, so reloading the projector page (even from a
 * bookmark without the query) still gets the classroom in. sessionStorage
 * lives as long as the tab: the token does not outlast the lesson's PC session.
 */
export const TOKEN_PARAM = 't';

const key = (lessonId: string): string => `cloudschool:token:${lessonId}`;

/** The storage, or null where the browser refuses it (privacy modes). */
export type TokenStore = Pick<Storage, 'getItem' | 'setItem'> | null;

/** The token of the link if there is one (and remembers it), else the one remembered. */
export function classroomToken(
  lessonId: string,
  search: Pick<URLSearchParams, 'get'>,
  store: TokenStore,
): string | null {
  const fromLink = search.get(TOKEN_PARAM)?.trim();
  if (fromLink) {
    try {
      store?.setItem(key(lessonId), fromLink);
    } catch {
      // Full or refused: the link still works for this page load.
    }
    return fromLink;
  }
  try {
    return store?.getItem(key(lessonId)) || null;
  } catch {
    return null;
  }
}

export function sessionTokenStore(): TokenStore {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * The classroom a join token is for, read from its payload without checking its signature (the server
 * checks that): it only picks which of this browser's PC credentials goes with the join. Null for a token
 * that is not a readable JWT.
 */
export function classroomOfToken(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload || !/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return null;
    const { classroomId } = claims as Record<string, unknown>;
    return typeof classroomId === 'string' && classroomId.length > 0 && classroomId.length <= 64
      ? classroomId
      : null;
  } catch {
    return null;
  }
}

/**
 * What follows the path of an address once its token is dropped (`?relay=1`, or ''), or null when it has
 * no token: the address bar shows it once the token is kept, so that the token is not left on a projected
 * screen, in the history or in a bookmark (a reload finds it in sessionStorage).
 */
export function searchWithoutToken(url: Pick<URL, 'search' | 'hash'>): string | null {
  const search = new URLSearchParams(url.search);
  if (!search.has(TOKEN_PARAM)) return null;
  search.delete(TOKEN_PARAM);
  const rest = search.toString();
  return `${rest ? `?${rest}` : ''}${url.hash}`;
}
