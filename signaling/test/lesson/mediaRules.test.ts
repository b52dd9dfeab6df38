import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import type { TrackInfo } from '../../src/fabric/Fabric.ts';
import {
  checkProduce,
  HIGH,
  LOW,
  MAX_TILE_CONSUMERS,
  receiveLayers,
  stageEffect,
} from '../../src/lesson/mediaRules.ts';
import type { Page } from '../../src/lesson/Roster.ts';

const page = (role: Page['role'], classroomId: string | null, peerId = `${role}-${classroomId}`): Page => ({
  peerId,
  role,
  displayName: peerId,
  classroomId,
  node: 'n1',
});
const host = page('host', null);
const observer = page('observer', null);
const c1 = page('classroom', 'c1');
const c2 = page('classroom', 'c2');

const track = (source: TrackInfo['source'], classroomId: string | null, peerId: string): TrackInfo => ({
  id: `${source}-${peerId}`,
  kind: source === 'mic' ? 'audio' : 'video',
  source,
  classroomId,
  peerId,
});
const hostCamera = track('camera', null, host.peerId);
const c1Mic = track('mic', 'c1', c1.peerId);
const c1Camera = track('camera', 'c1', c1.peerId);

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'allowed';
};

describe('who receives what', () => {
  it('gives the host’s media to everyone at the best layer', () => {
    for (const who of [c1, c2, observer]) expect(receiveLayers(who, hostCamera, false, 0)).toEqual(HIGH);
    // The wall's picture of the host: the lowest layer; a thumbnail never raises what a page may receive.
    expect(receiveLayers(observer, hostCamera, false, 0, true)).toEqual(LOW);
    expect(receiveLayers(host, c1Camera, true, 0, true)).toEqual(LOW);
    expect(refusal(() => receiveLayers(c2, c1Camera, false, 0, true))).toBe('forbidden');
  });

  it('lets a classroom hear another classroom only while it is on stage', () => {
    expect(refusal(() => receiveLayers(c2, c1Mic, false, 0))).toBe('forbidden');
    expect(refusal(() => receiveLayers(host, c1Mic, false, 0))).toBe('forbidden');
    expect(receiveLayers(c2, c1Mic, true, 0)).toEqual(HIGH);
    expect(receiveLayers(host, c1Mic, true, 0)).toEqual(HIGH);
  });

  it('shows a classroom’s camera to the host side as a low tile, to classrooms only on stage', () => {
    expect(receiveLayers(host, c1Camera, false, 0)).toEqual(LOW);
    expect(receiveLayers(observer, c1Camera, false, 0)).toEqual(LOW);
    expect(refusal(() => receiveLayers(c2, c1Camera, false, 0))).toBe('forbidden');
    expect(receiveLayers(c2, c1Camera, true, 0)).toEqual(HIGH);
  });

  it('never gives a page its own media, nor a classroom its own other page’s', () => {
    expect(refusal(() => receiveLayers(c1, c1Camera, true, 0))).toBe('forbidden');
    expect(refusal(() => receiveLayers(page('classroom', 'c1', 'reloaded'), c1Mic, true, 0))).toBe(
      'forbidden',
    );
  });

  it('caps the overview tiles of one page, but never the stage', () => {
    expect(refusal(() => receiveLayers(host, c1Camera, false, MAX_TILE_CONSUMERS))).toBe('conflict');
    expect(receiveLayers(host, c1Camera, true, MAX_TILE_CONSUMERS)).toEqual(HIGH);
  });
});

describe('when the stage changes', () => {
  it('stops a classroom’s voice everywhere and its picture for classrooms when it leaves', () => {
    expect(stageEffect(c2, c1Mic, 'left')).toEqual({ close: true });
    expect(stageEffect(host, c1Mic, 'left')).toEqual({ close: true });
    expect(stageEffect(c2, c1Camera, 'left')).toEqual({ close: true });
    expect(stageEffect(host, c1Camera, 'left')).toEqual({ close: false, layers: LOW });
  });

  it('raises its picture to the best layer when it comes on stage, and leaves the host’s media alone', () => {
    expect(stageEffect(host, c1Camera, 'joined')).toEqual({ close: false, layers: HIGH });
    expect(stageEffect(host, c1Mic, 'joined')).toBeNull();
    expect(stageEffect(c2, hostCamera, 'left')).toBeNull();
  });
});

describe('who may publish what', () => {
  it('lets only the host teacher share a screen, as video', () => {
    expect(refusal(() => checkProduce(host, 'video', 'screen'))).toBe('allowed');
    expect(refusal(() => checkProduce(c1, 'video', 'screen'))).toBe('forbidden');
    expect(refusal(() => checkProduce(observer, 'video', 'screen'))).toBe('forbidden');
    expect(refusal(() => checkProduce(host, 'audio', 'screen'))).toBe('bad_request');
  });

  it('lets host and classrooms send a camera and a microphone, observers nothing', () => {
    for (const who of [host, c1]) {
      expect(refusal(() => checkProduce(who, 'video', 'camera'))).toBe('allowed');
      expect(refusal(() => checkProduce(who, 'audio', 'mic'))).toBe('allowed');
      expect(refusal(() => checkProduce(who, 'audio', 'camera'))).toBe('bad_request');
    }
    expect(refusal(() => checkProduce(observer, 'audio', 'mic'))).toBe('forbidden');
  });

  it('gives every page but the host the host’s screen, at the best layer', () => {
    const screen = track('screen', null, host.peerId);
    for (const who of [c1, c2, observer]) expect(receiveLayers(who, screen, false, 0)).toEqual(HIGH);
    expect(refusal(() => receiveLayers(host, screen, false, 0))).toBe('forbidden');
  });
});
