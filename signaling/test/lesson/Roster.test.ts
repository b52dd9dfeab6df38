import { describe, expect, it } from 'vitest';
import { Roster } from '../../src/lesson/Roster.ts';
import type { Page } from '../../src/lesson/Roster.ts';

const invitation = {
  invitedClassroomIds: ['c1', 'c2', 'c3'],
  classroomNames: new Map([
    ['c1', '一小 1班'],
    ['c2', '一小 2班'],
  ]),
};
const page = (peerId: string, role: Page['role'], classroomId: string | null, node: string): Page => ({
  peerId,
  role,
  displayName: peerId,
  classroomId,
  node,
});

describe('Roster', () => {
  it('knows every node’s pages, and which are this node’s', () => {
    const roster = new Roster('n1', invitation);
    roster.add(page('h', 'host', null, 'n2'));
    roster.add(page('a', 'classroom', 'c1', 'n1'));
    roster.add(page('b', 'classroom', 'c1', 'n2'));
    expect(roster.local('a')?.classroomId).toBe('c1');
    expect(roster.local('b')).toBeUndefined();
    expect(roster.localPages().map((p) => p.peerId)).toEqual(['a']);
    expect(roster.localCount).toBe(1);
    expect(roster.hostPeerIds()).toEqual(['h']);
  });

  it('counts a classroom with two pages once, and forgets it when both leave', () => {
    const roster = new Roster('n1', invitation);
    roster.add(page('a', 'classroom', 'c1', 'n1'));
    roster.add(page('b', 'classroom', 'c1', 'n1'));
    roster.add(page('o', 'observer', null, 'n1'));
    expect(roster.classroomCount).toBe(1);
    expect(roster.isConnected('c1')).toBe(true);
    roster.remove('a');
    expect(roster.isConnected('c1')).toBe(true);
    expect(roster.remove('b')?.peerId).toBe('b');
    expect(roster.isConnected('c1')).toBe(false);
    expect(roster.classroomCount).toBe(0);
    expect(roster.remove('b')).toBeUndefined();
  });

  it('names invited classrooms, and falls back to the id', () => {
    const roster = new Roster('n1', invitation);
    expect(roster.isInvited('c3')).toBe(true);
    expect(roster.isInvited('c9')).toBe(false);
    expect(roster.classroomName('c2')).toBe('一小 2班');
    expect(roster.classroomName('c3')).toBe('c3');
    roster.invitation = { invitedClassroomIds: ['c9'], classroomNames: new Map() };
    expect(roster.isInvited('c9')).toBe(true);
  });
});
