import { describe, expect, it } from 'vitest';
import { classroomToken, type TokenStore } from './classroomToken.ts';

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
