import type { LoadEvent } from '@sveltejs/kit';
import type { AccountView } from '@cloudschool/protocol';
import { requireAccount } from '#lib/client/guard.ts';

// Rendered in the browser only: the session cookie belongs to the API, which decides.
export const ssr = false;

export interface TeacherData {
  account: AccountView;
}

export async function load(event: LoadEvent): Promise<TeacherData> {
  return { account: await requireAccount(event, 'teacher') };
}
