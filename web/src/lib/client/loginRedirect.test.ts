import { describe, expect, it } from 'vitest';
import { afterLogin, homeFor, loginQuery, safeNext } from './loginRedirect.ts';

describe('login redirects', () => {
  it('sends each role home', () => {
    expect(homeFor('coordinator')).toBe('/coordinator');
    expect(homeFor('teacher')).toBe('/teacher');
    expect(afterLogin('teacher', null)).toBe('/teacher');
  });

  it('follows next only within the site', () => {
    expect(safeNext('/host/l1')).toBe('/host/l1');
    expect(safeNext('/coordinator/lessons?week=2026-11-23')).toBe('/coordinator/lessons?week=2026-11-23');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'host/l1', '', '/a\nb']) {
      expect(safeNext(bad), bad).toBeNull();
    }
  });

  it('does not send a teacher into the coordinator pages', () => {
    expect(afterLogin('teacher', '/coordinator/lessons')).toBe('/teacher');
    expect(afterLogin('teacher', '/host/l1')).toBe('/host/l1');
    expect(afterLogin('coordinator', '/coordinator/lessons')).toBe('/coordinator/lessons');
  });

  it('encodes where to come back to', () => {
    expect(loginQuery('/host/l1?x=1')).toBe('next=%2Fhost%2Fl1%3Fx%3D1');
  });
});
