import { randomUUID } from 'node:crypto';
import { serial } from '@cloudschool/protocol';
import type { CreateAccountRequest, UpdateAccountRequest } from '@cloudschool/protocol';
import type { Account } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { AccountStore, AuditStore } from '../store/Store.ts';
import { ConflictError } from '../store/Store.ts';
import { accountSubject, Audit } from './Audit.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { Sessions } from './Sessions.ts';

/** Who asks for a change: an account over HTTP (its address, its session), or nobody (the shell). */
export interface Actor {
  account: Account | null;
  source: string | null;
  /** The session the request came with (kept when its own password changes). */
  sessionId?: string | undefined;
}

/** What closes the open connections of ended sessions and disabled accounts, on every node. */
export interface Disconnects {
  sessionsEnded(sessionIds: readonly string[]): void;
  accountDisabled(accountId: string): void;
}

/** The shell (`npm run admin`): no account, no address. */
export const SHELL: Actor = { account: null, source: null };

/**
 * Accounts and what is done to them, each recorded in the audit log: creation, name and role,
 * passwords (changed by their owner, reset by a coordinator or the shell), disabling, and ending all of
 * an account's sessions. An ended session's connections close (Disconnects). The last enabled
 * coordinator can be neither disabled nor demoted; changes that could remove one are serialized on this
 * node (two coordinators on two nodes demoting each other at the same instant is not prevented; the shell
 * can still reset a password or create a coordinator).
 */
export class AccountService {
  readonly #store: AccountStore;
  readonly #sessions: Sessions;
  readonly #audit: Audit;
  readonly #disconnects: Disconnects;
  readonly #coordinators = serial();

  constructor(deps: { store: AccountStore; sessions: Sessions; audit: Audit; disconnects: Disconnects }) {
    this.#store = deps.store;
    this.#sessions = deps.sessions;
    this.#audit = deps.audit;
    this.#disconnects = deps.disconnects;
  }

  /**
   * For a process that serves no connections (the shell, tests' fixtures): sessions end in the store, and
   * connections a server holds open for them close when they next reconnect or their login expires.
   */
  static offline(store: AccountStore & AuditStore): AccountService {
    const audit = new Audit(store, (error) => console.error('could not write an audit entry:', error));
    const disconnects: Disconnects = { sessionsEnded: () => undefined, accountDisabled: () => undefined };
    return new AccountService({ store, sessions: new Sessions(store), audit, disconnects });
  }

  async get(id: string): Promise<Account> {
    const account = await this.#store.getAccount(id);
    if (!account) throw new AppError('not_found', 'no such account');
    return account;
  }

  /** ConflictError when the username is taken. */
  async create(input: CreateAccountRequest, by: Actor): Promise<Account> {
    if (await this.#store.getAccountByUsername(input.username)) throw new ConflictError('username taken');
    const account: Account = {
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      createdAt: Date.now(),
    };
    await this.#store.putAccount(account);
    await this.#record('account_created', by, account, { role: account.role });
    return account;
  }

  async update(id: string, input: UpdateAccountRequest, by: Actor): Promise<Account> {
    return this.#coordinators(async () => {
      const before = await this.get(id);
      if (before.role === 'coordinator' && input.role !== 'coordinator') await this.#keepACoordinator(before);
      const account: Account = { ...before, displayName: input.displayName, role: input.role };
      await this.#store.putAccount(account);
      if (before.displayName !== account.displayName)
        await this.#record('account_changed', by, account, {
          from: before.displayName,
          to: account.displayName,
        });
      if (before.role !== account.role)
        await this.#record('role_changed', by, account, { from: before.role, to: account.role });
      return account;
    });
  }

  /** A disabled account cannot log in; its sessions end and its connections close. */
  async disable(id: string, by: Actor): Promise<Account> {
    return this.#coordinators(async () => {
      const before = await this.get(id);
      if (before.disabled === true) return before;
      if (before.role === 'coordinator') await this.#keepACoordinator(before);
      const account: Account = { ...before, disabled: true };
      await this.#store.putAccount(account);
      const ended = await this.#sessions.endAll(id);
      this.#disconnects.accountDisabled(id);
      this.#disconnects.sessionsEnded(ended);
      await this.#record('account_disabled', by, account, { sessions: ended.length });
      return account;
    });
  }

  async enable(id: string, by: Actor): Promise<Account> {
    const before = await this.get(id);
    if (before.disabled !== true) return before;
    const account: Account = { ...before, disabled: false };
    await this.#store.putAccount(account);
    await this.#record('account_enabled', by, account);
    return account;
  }

  /** A new password set by a coordinator or the shell: every session of the account ends. */
  async resetPassword(id: string, password: string, by: Actor): Promise<Account> {
    const account: Account = { ...(await this.get(id)), passwordHash: await hashPassword(password) };
    await this.#store.putAccount(account);
    const ended = await this.#sessions.endAll(id);
    this.#disconnects.sessionsEnded(ended);
    await this.#record('password_reset', by, account, { sessions: ended.length });
    return account;
  }

  /**
   * The account's own change: the current password must be right (`invalid_credentials`); every other
   * session of the account ends, the one asking stays.
   */
  async changePassword(by: Actor & { account: Account }, current: string, next: string): Promise<void> {
    const before = await this.get(by.account.id);
    if (!(await verifyPassword(before.passwordHash, current)))
      throw new AppError('invalid_credentials', 'the current password is wrong');
    await this.#store.putAccount({ ...before, passwordHash: await hashPassword(next) });
    const ended = await this.#sessions.endAll(before.id, by.sessionId);
    this.#disconnects.sessionsEnded(ended);
    await this.#record('password_changed', by, before, { sessions: ended.length });
  }

  /** Ends every session of an account (its connections close); answers how many there were. */
  async endSessions(id: string, by: Actor): Promise<number> {
    const account = await this.get(id);
    const ended = await this.#sessions.endAll(id);
    this.#disconnects.sessionsEnded(ended);
    await this.#record('sessions_revoked', by, account, { count: ended.length });
    return ended.length;
  }

  /** Refuses to take away the last enabled coordinator (`account` being one). */
  async #keepACoordinator(account: Account): Promise<void> {
    const others = (await this.#store.listAccounts()).filter(
      (a) => a.id !== account.id && a.role === 'coordinator' && a.disabled !== true,
    );
    if (others.length === 0)
      throw new AppError('last_coordinator', 'the last enabled coordinator cannot be disabled or demoted');
  }

  #record(
    kind: Parameters<Audit['record']>[0]['kind'],
    by: Actor,
    subject: Account,
    details?: Record<string, string | number>,
  ): Promise<void> {
    return this.#audit.record({
      kind,
      actor: by.account && { id: by.account.id, username: by.account.username },
      source: by.source,
      subject: accountSubject(subject),
      details,
    });
  }
}

/** An account made outside the HTTP API (the shell, tests' fixtures). ConflictError when the username is taken. */
export function createAccount(
  store: AccountStore & AuditStore,
  input: CreateAccountRequest,
): Promise<Account> {
  return AccountService.offline(store).create(input, SHELL);
}
