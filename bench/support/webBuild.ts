/**
 * The built UI a run measures, copied once at its start: on a shared machine another tenant's `npm run build`
 * replaces web/build under a running server, whose pages then ask for chunks that are gone. The copy lives
 * in node_modules/.cache (git ignores it; the server's bare imports still resolve from the root node_modules)
 * and is removed at the end. What was copied is described: when it was built, which web/src files changed
 * since, whether its pages send given requests.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '@cloudschool/testkit';
import { sleep } from './report.ts';

const BUILD = path.join(ROOT, 'web/build');

export interface WebBuildCopy {
  /** The copy's handler, for WEB_HANDLER. */
  handler: string;
  builtAt: string;
  /** web/src files (tests aside) newer than the build. */
  srcNewer: string[];
  /** Whether the pages' code sends each request (`request(socket, 'event', {…})`). */
  sends: Record<string, boolean>;
  remove(): void;
}

const files = (dir: string, out: string[] = []): string[] => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) files(file, out);
    else out.push(file);
  }
  return out;
};

/** Copies web/build (again if it changed while being copied, up to a minute); throws if there is none. */
export async function copyWebBuild(requests: string[]): Promise<WebBuildCopy> {
  const dir = path.join(ROOT, 'node_modules/.cache/cloudschool-chaos', `web-${process.pid}`);
  const deadline = Date.now() + 60_000;
  let builtAt: number | undefined;
  for (;;) {
    try {
      const before = statSync(path.join(BUILD, 'handler.js')).mtimeMs;
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(path.dirname(dir), { recursive: true });
      cpSync(BUILD, dir, { recursive: true });
      if (statSync(path.join(BUILD, 'handler.js')).mtimeMs === before) {
        builtAt = before;
        break;
      }
    } catch {
      // being rebuilt right now, or never built
    }
    if (Date.now() > deadline) break;
    await sleep(2000);
  }
  if (builtAt === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('no stable UI build in web/build: run `npm run build` first');
  }
  const built = builtAt;
  const srcNewer = files(path.join(ROOT, 'web/src'))
    .filter((file) => !file.endsWith('.test.ts') && statSync(file).mtimeMs > built)
    .map((file) => path.relative(ROOT, file));
  // The protocol's schema table (`"event":z…`) is bundled too and does not count as sending.
  const code = files(path.join(dir, 'client'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(file, 'utf8'));
  const sends = (event: string): boolean =>
    code.some((text) => new RegExp(`[\`'"]${event}[\`'"]\\s*,\\s*\\{`).test(text));
  return {
    handler: path.join(dir, 'handler.js'),
    builtAt: new Date(built).toISOString(),
    srcNewer,
    sends: Object.fromEntries(requests.map((event) => [event, sends(event)])),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a report says of the pages it measured (a report's JSON keeps builtAt, srcNewer and sends). */
export function describeWebBuild(b: {
  builtAt: string | null;
  srcNewer: string[];
  sends: Record<string, boolean>;
}): string {
  const newer = b.srcNewer.length
    ? ` (web/src files newer than the build: ${b.srcNewer.join(', ')})`
    : ' (no web/src file is newer)';
  const sends = Object.entries(b.sends)
    .map(([event, yes]) => `\`${event}\`: ${yes ? 'yes' : 'no'}`)
    .join(', ');
  return `the UI as built in web/build at ${b.builtAt ?? '?'}${newer}; its pages send ${sends}`;
}
