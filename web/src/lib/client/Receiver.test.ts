import { describe, expect, it } from 'vitest';
import type { JoinResult, ProducerInfo } from '@cloudschool/protocol';
import { hostScreen, hostTracks, ownPublisher, wantedProducers, type Received } from './Receiver.ts';

const hostCamera: ProducerInfo = { id: 'h1', kind: 'video', source: 'camera', classroomId: null };
const hostMic: ProducerInfo = { id: 'h2', kind: 'audio', source: 'mic', classroomId: null };
const stageCamera: ProducerInfo = { id: 's1', kind: 'video', source: 'camera', classroomId: 'c2' };
const stageMic: ProducerInfo = { id: 's2', kind: 'audio', source: 'mic', classroomId: 'c2' };
const main = [hostCamera, hostMic, stageCamera, stageMic];

function joined(
  role: JoinResult['role'],
  classroomId: string | null,
): Pick<JoinResult, 'role' | 'classroomId'> {
  return { role, classroomId };
}

describe('what a page receives', () => {
  it('plays everything but its own media', () => {
    expect([...wantedProducers(main, [], null).keys()]).toEqual(['s1', 's2']);
    expect([...wantedProducers(main, [], 'c2').keys()]).toEqual(['h1', 'h2']);
    expect([...wantedProducers(main, [], 'c9').keys()]).toEqual(['h1', 'h2', 's1', 's2']);
    expect([...wantedProducers(main, [], undefined).keys()]).toEqual(['h1', 'h2', 's1', 's2']);
  });

  it('adds the grid tiles, sharing a stage camera that is also a tile', () => {
    const wanted = wantedProducers(
      main,
      [
        { classroomId: 'c2', producerId: 's1' },
        { classroomId: 'c3', producerId: 'g3' },
      ],
      null,
    );
    expect(wanted.get('s1')).toEqual({ classroomId: 'c2', main: true, grid: true, screen: false });
    expect(wanted.get('g3')).toEqual({ classroomId: 'c3', main: false, grid: true, screen: false });
    expect(wanted.size).toBe(3);
  });

  it('knows whose media a role skips', () => {
    expect(ownPublisher(joined('host', null))).toBeNull();
    expect(ownPublisher(joined('classroom', 'c2'))).toBe('c2');
    expect(ownPublisher(joined('observer', null))).toBeUndefined();
  });

  it("picks the host's own tracks for the big picture", () => {
    const track = (id: string) => ({ id }) as MediaStreamTrack;
    const received = (
      producerId: string,
      classroomId: string | null,
      main: boolean,
      screen = false,
    ): Received => ({
      producerId,
      classroomId,
      kind: 'video',
      track: track(producerId),
      main,
      grid: !main,
      screen,
    });
    const list = [received('h1', null, true), received('s1', 'c2', true), received('g3', 'c3', false)];
    expect(hostTracks(list).map((t) => t.id)).toEqual(['h1']);
    expect(hostTracks([])).toEqual([]);
    // The shared screen has its own place: not in the camera's picture.
    const shared = [...list, received('sc', null, true, true)];
    expect(hostTracks(shared).map((t) => t.id)).toEqual(['h1']);
    expect(hostScreen(shared)?.id).toBe('sc');
    expect(hostScreen(list)).toBeNull();
  });

  it('marks the host’s shared screen among the main media', () => {
    const screen: ProducerInfo = { id: 'sc', kind: 'video', source: 'screen', classroomId: null };
    expect(wantedProducers([...main, screen], [], 'c9').get('sc')).toEqual({
      classroomId: null,
      main: true,
      grid: false,
      screen: true,
    });
  });
});
