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
