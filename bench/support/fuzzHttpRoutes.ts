/**
 * The routes the HTTP fuzz (fuzzHttpCampaign.ts) sends to: every route signaling/src registers, the protocol
 * schemas of their bodies and queries, which of them change nothing, and what their path parameters name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as protocol from '@cloudschool/protocol';
import { ROOT } from '@cloudschool/testkit';
import { isSchema } from './fuzzSchemas.ts';
import type { RefName, SchemaLike } from './fuzzSchemas.ts';

export interface Route {
  method: string;
  path: string;
  /** `METHOD /path`, as reports name it. */
  key: string;
  params: string[];
}

/** Every route registered in signaling/src (`router.get('/api/…'` and the like). */
export function discoverRoutes(): Route[] {
  const found = new Map<string, Route>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/router\.(get|post|put|patch|delete)\(\s*(['"`])([^'"`]+)\2/g)) {
          const method = m[1]!.toUpperCase();
          const routePath = m[3]!;
          const key = `${method} ${routePath}`;
          found.set(key, {
            method,
            path: routePath,
            key,
            params: [...routePath.matchAll(/:(\w+)/g)].map((x) => x[1]!),
          });
        }
      }
    }
  };
  walk(path.join(ROOT, 'signaling/src'));
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** A protocol schema by its export name, if the protocol has it (routes come and go; the table need not). */
export function named(name: string): SchemaLike | undefined {
  const value: unknown = (protocol as Record<string, unknown>)[name];
  return isSchema(value) ? value : undefined;
}

export const BODY_SCHEMAS: Record<string, string> = {
  'POST /api/auth/login': 'loginRequest',
  'POST /api/auth/password': 'changePasswordRequest',
  'POST /api/accounts': 'createAccountRequest',
  'PUT /api/accounts/:id': 'updateAccountRequest',
  'POST /api/accounts/:id/password': 'resetPasswordRequest',
  'POST /api/schools': 'schoolRequest',
  'POST /api/classrooms': 'classroomRequest',
  'PUT /api/classrooms/:id': 'classroomRequest',
  'POST /api/lessons': 'lessonRequest',
  'PUT /api/lessons/:id': 'lessonRequest',
  'POST /api/join/code': 'joinByCodeRequest',
  'POST /api/join/code/recordings': 'joinByCodeRequest',
  'PUT /api/recordings/retention': 'retentionBody',
};
export const QUERY_SCHEMAS: Record<string, string> = {
  'GET /api/lessons': 'listLessonsQuery',
  'GET /api/audit': 'auditQuery',
  'GET /api/audit.csv': 'auditQuery',
  'GET /api/recordings': 'recordingLibraryQuery',
  'GET /api/teacher/recordings': 'teacherRecordingsQuery',
};
/** POSTs that change nothing the fuzzer compares (they only read, or refuse). */
export const READS_BY_POST = new Set([
  'POST /api/auth/login',
  'POST /api/join/code',
  'POST /api/join/code/recordings',
]);
/** Answers 204 to anyone: it ends the session the cookie names, and the fuzzer's cookies name none. */
export const LOGOUT = 'POST /api/auth/logout';

/** What a path parameter names, by its name and the route it is in. */
export function entityOf(route: Route, param: string): RefName | 'calendar' {
  if (param === 'lessonId') return 'lesson';
  if (param === 'classroomId') return 'classroom';
  if (param === 'fileId') return 'file';
  if (param === 'file') return 'calendar';
  if (route.path.startsWith('/api/classrooms')) return 'classroom';
  if (route.path.startsWith('/api/accounts')) return 'account';
  if (route.path.startsWith('/api/schools')) return 'school';
  return 'lesson';
}
