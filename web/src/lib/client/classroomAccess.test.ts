import { describe, expect, it } from 'vitest';
import type { ClassroomView } from '@cloudschool/protocol';
import { ApiError } from './api.ts';
import { enrollUrl, ROTATE_BATCH, RotateError, rotateCodesInBatches } from './classroomAccess.ts';

const view = (id: string): ClassroomView => ({
  id,
  schoolId: 's1',
  name: id,
  kind: 'remote',
  notes: '',
  code: 'ABC234',
});

describe('rotateCodesInBatches', () => {
  const ids = Array.from({ length: ROTATE_BATCH * 2 + 3 }, (_, i) => `c${i}`);

  it('sends every classroom once, a batch at a time, and tells the progress', async () => {
    const batches: string[][] = [];
    const progress: number[] = [];
    const rotated = await rotateCodesInBatches(
      ids,
      (done, total) => {
        expect(total).toBe(ids.length);
        progress.push(done);
      },
      async (batch) => {
        batches.push([...batch]);
        return batch.map(view);
      },
    );
    expect(batches.map((b) => b.length)).toEqual([ROTATE_BATCH, ROTATE_BATCH, 3]);
    expect(batches.flat()).toEqual(ids);
    expect(progress).toEqual([ROTATE_BATCH, ROTATE_BATCH * 2, ids.length]);
    expect(rotated.map((c) => c.id)).toEqual(ids);
  });

  it('stops at a failed batch and names what was rotated before it', async () => {
    let calls = 0;
    const failure = new ApiError('internal', 'boom');
    const error = await rotateCodesInBatches(
      ids,
      () => undefined,
      async (batch) => {
        if (++calls === 2) throw failure;
        return batch.map(view);
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotateError);
    expect((error as RotateError).rotated).toHaveLength(ROTATE_BATCH);
    expect((error as RotateError).reason).toBe(failure);
    expect(calls).toBe(2);
  });
});

describe('enrollUrl', () => {
  it('puts the server’s enrol path on the page’s origin, the credential after #', () => {
    const url = enrollUrl('/enroll#c1.d1.secret', 'https://school.test');
    expect(url).toBe('https://school.test/enroll#c1.d1.secret');
  });
});
