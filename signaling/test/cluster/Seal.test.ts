import { describe, expect, it } from 'vitest';
import { Seal, UnsealError } from '../../src/cluster/Seal.ts';

const secret = 'a-district-cluster-secret-of-32-characters-or-more';

describe('Seal', () => {
  it('opens what a node with the same secret sealed, and nothing else', () => {
    const message = { kind: 'event', srtp: { keyBase64: 'c2VjcmV0IGtleQ==' } };
    const sealed = new Seal(secret).seal(message);
    expect(JSON.stringify(sealed)).not.toContain('c2VjcmV0IGtleQ');
    expect(new Seal(secret).open(sealed)).toEqual(message);
    expect(() => new Seal(`${secret}-other`).open(sealed)).toThrow(UnsealError);
  });

  it('refuses an unsigned, altered or replayed message', () => {
    const seal = new Seal(secret);
    expect(() => seal.open({ kind: 'event', from: 'n2' })).toThrow(UnsealError);
    const sealed = seal.seal({ kind: 'event' });
    const altered = { ...sealed, data: Buffer.from('{"at":0,"message":1}').toString('base64') };
    expect(() => seal.open(altered)).toThrow(UnsealError);
    const old = seal.seal({ kind: 'event' }, Date.now() - 5 * 60_000);
    expect(() => seal.open(old)).toThrow(/too old/);
  });
});
