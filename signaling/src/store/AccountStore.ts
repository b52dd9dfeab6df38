import type { Account, Session } from './entities/accounts.ts';

/** Accounts and their login sessions. */
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
}
