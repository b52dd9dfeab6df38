/**
 * Administration from the shell, against the configured store (DATA_DIR or REDIS_URL):
 *   npm run admin -- create-coordinator --username admin --password '…' --name 管理员
 *   npm run admin -- create-teacher --username wang --password '…' --name 王老师
 *   npm run admin -- reset-password --username wang --password '…'
 * A reset ends every session of the account (in the store: a server's open connections of those
 * sessions close when they next reconnect, or when their login would have expired). Both are in the
 * audit log, done by nobody (the shell).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AccountService, SHELL } from './auth/Accounts.ts';
import { loadStoreConfig } from './config.ts';
import { createAccountRequest, resetPasswordRequest } from '@cloudschool/protocol';
import { createStore } from './store/createStore.ts';
import type { Store } from './store/Store.ts';
import { ConflictError } from './store/Store.ts';

const USAGE = `usage: npm run admin -- <create-coordinator|create-teacher> --username U --password P --name N
       npm run admin -- reset-password --username U --password P`;

type Values = { username?: string | undefined; password?: string | undefined; name?: string | undefined };

/** What a command does with the store once its input is checked; answers the exit code. */
type Run = (store: Store) => Promise<number>;

function createCommand(role: 'coordinator' | 'teacher', values: Values): Run | string {
  const input = createAccountRequest.safeParse({
    username: values.username,
    password: values.password,
    displayName: values.name ?? values.username,
    role,
  });
  if (!input.success) return z.prettifyError(input.error);
  return async (store) => {
    try {
      const account = await AccountService.offline(store).create(input.data, SHELL);
      process.stdout.write(`created ${role} “${account.displayName}” (${account.username})\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      console.error(`username “${input.data.username}” is taken`);
      return 1;
    }
  };
}

function resetCommand(values: Values): Run | string {
  const input = resetPasswordRequest.safeParse({ password: values.password });
  if (!input.success) return z.prettifyError(input.error);
  if (values.username === undefined) return '✖ --username is required';
  const username = values.username;
  return async (store) => {
    const account = await store.getAccountByUsername(username);
    if (!account) {
      console.error(`no account “${username}”`);
      return 1;
    }
    await AccountService.offline(store).resetPassword(account.id, input.data.password, SHELL);
    process.stdout.write(
      `new password set for “${account.displayName}” (${account.username}); its sessions ended\n`,
    );
    return 0;
  };
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  const command = positionals[0];
  const run =
    command === 'create-coordinator'
      ? createCommand('coordinator', values)
      : command === 'create-teacher'
        ? createCommand('teacher', values)
        : command === 'reset-password'
          ? resetCommand(values)
          : '';
  if (typeof run === 'string') {
    console.error(run === '' ? USAGE : `${run}\n${USAGE}`);
    return 2;
  }
  const config = loadStoreConfig();
  const store = await createStore({ redisUrl: config.redisUrl, dataDir: config.dataDir });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
