import type { Account, Login, Session } from './entities/accounts.ts';

/** Accounts, their login sessions, and what is known of each login (to list and end an account's). */
export interface AccountStore {
  /** By id. */
  listAccounts(): Promise<Account[]>;
  getAccount(id: string): Promise<Account | undefined>;
  getAccountByUsername(username: string): Promise<Account | undefined>;
  /** Throws ConflictError if the username belongs to another account. */
  putAccount(account: Account): Promise<void>;
  putSession(session: Session): Promise<void>;
  /** Undefined once expired. */
  getSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;
  /** Written beside its session (auth/Sessions.ts); an expired one is not kept. */
  putLogin(login: Login): Promise<void>;
  /** An account's logins that have not expired, oldest first; expired ones are dropped. */
  listLogins(accountId: string): Promise<Login[]>;
  deleteLogin(accountId: string, sessionId: string): Promise<void>;
}
