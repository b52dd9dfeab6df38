import type { LoadEvent } from '@sveltejs/kit';
import type { AccountView, ClassroomView, SchoolView } from '@cloudschool/protocol';
import { listAccounts, listClassrooms, listSchools } from '#lib/client/api.ts';
import { failLoad, requireAccount } from '#lib/client/guard.ts';

// Rendered in the browser only: the session cookie belongs to the API, which decides.
export const ssr = false;

/** What every coordinator page has at hand. Reloaded by `invalidate('app:roster')` after a change. */
export interface CoordinatorData {
  account: AccountView;
  schools: SchoolView[];
  classrooms: ClassroomView[];
  accounts: AccountView[];
}

export async function load(event: LoadEvent): Promise<CoordinatorData> {
  const account = await requireAccount(event, 'coordinator');
  event.depends('app:roster');
  try {
    const [schools, classrooms, accounts] = await Promise.all([
      listSchools(event.fetch),
      listClassrooms(event.fetch),
      listAccounts(event.fetch),
    ]);
    return { account, schools, classrooms, accounts };
  } catch (cause) {
    failLoad(
      cause,
      event.untrack(() => event.url),
    );
  }
}
