/**
 * Administration from the shell, against the configured store (DATA_DIR or REDIS_URL):
 *   npm run admin -- create-coordinator --username admin --password '…' --name 管理员
 *   npm run admin -- create-teacher --username wang --password '…' --name 王老师
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createAccount } from './http/authRoutes.ts';
import { loadConfig } from './config.ts';
import { createAccountRequest } from '@cloudschool/protocol';
import { createStore } from './store/createStore.ts';
import { ConflictError } from './store/Store.ts';

const USAGE = `usage: npm run admin -- <create-coordinator|create-teacher> --username U --password P --name N`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  const command = positionals[0];
  const role =
    command === 'create-coordinator' ? 'coordinator' : command === 'create-teacher' ? 'teacher' : undefined;
  if (!role) {
    console.error(USAGE);
    return 2;
  }
  const input = createAccountRequest.safeParse({
    username: values.username,
    password: values.password,
    displayName: values.name ?? values.username,
    role,
  });
  if (!input.success) {
    console.error(`${z.prettifyError(input.error)}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const store = await createStore({ redisUrl: config.redisUrl, dataDir: config.dataDir });
  try {
    const account = await createAccount(store, input.data);
    process.stdout.write(`created ${role} “${account.displayName}” (${account.username})\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConflictError) {
      console.error(`username “${input.data.username}” is taken`);
      return 1;
    }
    throw error;
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
