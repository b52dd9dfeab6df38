import { describe, expect, it } from 'vitest';
import { classroomOfToken, classroomToken, searchWithoutToken, type TokenStore } from './classroomToken.ts';

function memoryStore(): TokenStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
  };
}

describe('classroomToken', () => {
  it('takes the token of the link and remembers it per lesson', () => {
    const store = memoryStore();
    expect(classroomToken('l1', new URLSearchParams('t=abc'), store)).toBe('abc');
    expect(classroomToken('l1', new URLSearchParams(''), store)).toBe('abc');
    expect(classroomToken('l2', new URLSearchParams(''), store)).toBeNull();
  });

  it('prefers a new link over what it remembered', () => {
    const store = memoryStore();
    classroomToken('l1', new URLSearchParams('t=old'), store);
    expect(classroomToken('l1', new URLSearchParams('t=new'), store)).toBe('new');
    expect(classroomToken('l1', new URLSearchParams(''), store)).toBe('new');
  });

  it('works without storage', () => {
    expect(classroomToken('l1', new URLSearchParams('t=abc'), null)).toBe('abc');
    expect(classroomToken('l1', new URLSearchParams(''), null)).toBeNull();
    const refusing: TokenStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(classroomToken('l1', new URLSearchParams('t=abc'), refusing)).toBe('abc');
    expect(classroomToken('l1', new URLSearchParams(''), refusing)).toBeNull();
  });
});

describe('classroomOfToken', () => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (claims: unknown): string => `${part({ alg: 'HS256' })}.${part(claims)}.c2lnbmF0dXJl`;

  it('reads the classroom of a join token without checking its signature', () => {
    const claims = { lessonId: 'l1', classroomId: 'a1b2-c3', role: 'classroom', cf: 'x', exp: 1 };
    expect(classroomOfToken(jwt(claims))).toBe('a1b2-c3');
    // Characters that base64url spells with - and _ (and a payload that needs padding) read the same.
    expect(classroomOfToken(jwt({ classroomId: '教室?>>~' }))).toBe('教室?>>~');
  });

  it('finds none in anything else', () => {
    for (const token of [
      '',
      'abc',
      'a.b',
      'a.!!!.c',
      `x.${part('text')}.y`,
      jwt({ lessonId: 'l1' }),
      jwt({ classroomId: 7 }),
      jwt({ classroomId: 'x'.repeat(65) }),
      jwt(null),
    ]) {
      expect(classroomOfToken(token), token).toBeNull();
    }
  });
});

describe('searchWithoutToken', () => {
  it('drops the token and keeps the rest of the address', () => {
    const url = (s: string) => new URL(`https://school.test/classroom/l1${s}`);
    expect(searchWithoutToken(url('?t=abc&relay=1#x'))).toBe('?relay=1#x');
    expect(searchWithoutToken(url('?relay=1&t=abc'))).toBe('?relay=1');
    expect(searchWithoutToken(url('?t=abc'))).toBe('');
  });

  it('leaves an address without a token alone', () => {
    expect(searchWithoutToken(new URL('https://school.test/classroom/l1?relay=1'))).toBeNull();
    expect(searchWithoutToken(new URL('https://school.test/classroom/l1'))).toBeNull();
  });
});
