import type { LoadEvent } from '@sveltejs/kit';
import type { AccountView } from '@cloudschool/protocol';
import { me } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';

// Rendered in the browser only: the session cookie belongs to the API, which decides.
export const ssr = false;

export interface PasswordPageData {
  account: AccountView;
}

/** Anyone logged in, coordinator or teacher; nobody → the login page, which comes back here. */
export async function load(event: LoadEvent): Promise<PasswordPageData> {
  try {
    return { account: await me(event.fetch) };
  } catch (cause) {
    failLoad(
      cause,
      event.untrack(() => event.url),
    );
  }
}
