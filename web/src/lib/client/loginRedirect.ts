/**
 * Where the login page sends a person, and how pages send someone to it.
 * `next` comes from the address bar, so only same-site paths are followed.
 */
import type { AccountView } from '@cloudschool/protocol';

export type AccountRole = AccountView['role'];

export function homeFor(role: AccountRole): '/coordinator' | '/teacher' {
  return role === 'coordinator' ? '/coordinator' : '/teacher';
}

/** A path on this site (`/…`, not `//host` or `/\host`), else null. */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  // Control characters and backslashes could be read as another host by some browsers.
  if (next.includes('\\') || [...next].some((char) => char.charCodeAt(0) < 0x20)) return null;
  return next;
}

/** Where to go after logging in: `next` when given and fit for the role, else the role's home. */
export function afterLogin(role: AccountRole, next: string | null | undefined): string {
  const target = safeNext(next);
  if (!target) return homeFor(role);
  // A teacher sent on to the coordinator's pages would only bounce back.
  if (role === 'teacher' && (target === '/coordinator' || target.startsWith('/coordinator/')))
    return homeFor(role);
  return target;
}

/** The login page's query for coming back to `here` (path and query of the current page). */
export function loginQuery(here: string): string {
  return new URLSearchParams({ next: here }).toString();
}
