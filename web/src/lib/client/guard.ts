/**
 * The gate of the logged-in sections, run by their universal layout loads
 * (`ssr = false`: the session cookie is the API's, checked by the API). Nobody
 * logged in → the login page, which comes back here; the wrong role → that
 * role's home.
 */
import { error, redirect, type LoadEvent } from '@sveltejs/kit';
import type { AccountView } from '@cloudschool/protocol';
import { ApiError, me } from './api.ts';
import { homeFor, loginQuery, type AccountRole } from './loginRedirect.ts';

/** The login page that returns to the page being loaded. */
export function loginUrlFor(url: URL): string {
  return `/login?${loginQuery(url.pathname + url.search)}`;
}

/** A load failure as SvelteKit's error page shows it; an expired session goes to the login page. */
export function failLoad(cause: unknown, url: URL): never {
  if (cause instanceof ApiError) {
    if (cause.code === 'unauthenticated') redirect(307, loginUrlFor(url));
    // The error page speaks from the status (and code): the server's English message goes no further.
    if (cause.code === 'not_found') error(404, cause.code);
    if (cause.code === 'forbidden') error(403, cause.code);
    error(cause.status >= 400 ? cause.status : 503, cause.code);
  }
  throw cause;
}

export async function requireAccount(event: LoadEvent, role: AccountRole): Promise<AccountView> {
  // Where to come back to is read once: the layout does not load again on every navigation inside it.
  const url = event.untrack(() => new URL(event.url));
  let account: AccountView;
  try {
    account = await me(event.fetch);
  } catch (cause) {
    failLoad(cause, url);
  }
  if (account.role !== role) redirect(307, homeFor(account.role));
  return account;
}
