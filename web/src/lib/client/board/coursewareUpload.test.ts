import { describe, expect, it } from 'vitest';
import { ApiError } from '#lib/client/api.ts';
import { COURSEWARE_ACCEPT, isPresentation, typedForUpload, uploadRefusalKey } from './coursewareUpload.ts';

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('typedForUpload', () => {
  it('types a file by its name when the browser gave no type or a generic one', () => {
    expect(typedForUpload(new File(['x'], '分数.PPTX')).type).toBe(PPTX);
    expect(typedForUpload(new File(['x'], 'old.ppt', { type: 'application/octet-stream' })).type).toBe(
      'application/vnd.ms-powerpoint',
    );
    expect(typedForUpload(new File(['x'], 'a.odp')).type).toBe(
      'application/vnd.oasis.opendocument.presentation',
    );
    expect(typedForUpload(new File(['x'], 'scan.jpeg')).type).toBe('image/jpeg');
  });

  it('keeps the type the browser gave, and leaves a name it does not know untyped', () => {
    expect(typedForUpload(new File(['x'], 'slides.pdf', { type: 'image/png' })).type).toBe('image/png');
    expect(typedForUpload(new File(['x'], 'notes.txt')).type).toBe('');
    expect(typedForUpload(new File(['x'], 'pptx')).type).toBe('');
  });

  it('knows which uploads the server converts', () => {
    expect(isPresentation(typedForUpload(new File(['x'], 'deck.pptx')))).toBe(true);
    expect(isPresentation(new File(['x'], 'a.pdf', { type: 'application/pdf' }))).toBe(false);
  });

  it('offers every type in the file picker', () => {
    for (const wanted of ['application/pdf', 'image/png', PPTX, '.pptx', '.ppt', '.odp', '.jpg']) {
      expect(COURSEWARE_ACCEPT.split(',')).toContain(wanted);
    }
  });
});

describe('uploadRefusalKey', () => {
  const refused = (status: number, reason?: string) =>
    new ApiError('bad_request', 'refused', reason ? { reason } : {}, status);

  it('says why a presentation was not converted', () => {
    expect(uploadRefusalKey(refused(422, 'unreadable'))).toBe('board.coursewareCorrupt');
    expect(uploadRefusalKey(refused(422, 'timeout'))).toBe('board.coursewareConvertTimeout');
    expect(uploadRefusalKey(refused(429, 'busy'))).toBe('board.coursewareBusy');
    expect(uploadRefusalKey(refused(415, 'unavailable'))).toBe('board.coursewareNoConverter');
  });

  it('says what was wrong with any other upload', () => {
    expect(uploadRefusalKey(refused(413))).toBe('board.coursewareTooLarge');
    expect(uploadRefusalKey(refused(415))).toBe('board.coursewareType');
    expect(uploadRefusalKey(refused(500))).toBe('board.coursewareFailed');
    expect(uploadRefusalKey(new Error('offline'))).toBe('board.coursewareFailed');
  });
});
