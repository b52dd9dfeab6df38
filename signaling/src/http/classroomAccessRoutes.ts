import express from 'express';
import type { Request, Response } from 'express';
import {
  approveDeviceRequest,
  classroomParams,
  deviceParams,
  rotateCodesRequest,
} from '@cloudschool/protocol';
import type { DeviceView } from '@cloudschool/protocol';
import type { Audit, AuditActor } from '../auth/Audit.ts';
import type { Devices } from '../auth/Devices.ts';
import { sourceOf } from '../auth/limits.ts';
import type { Classroom } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { RosterService } from '../services/RosterService.ts';
import { classroomView } from '../services/views.ts';
import type { Device } from '../store/entities/devices.ts';
import type { RosterStore } from '../store/Store.ts';
import { parse, requireAccount, requireRole } from './middleware.ts';

export interface ClassroomAccessRouteDeps {
  store: RosterStore;
  roster: RosterService;
  devices: Devices;
  audit: Audit;
  /** A PC revoked: its open pages are told and closed, on every node. */
  deviceRevoked: (deviceId: string) => void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const deviceView = (d: Device): DeviceView => ({
  id: d.id,
  label: d.label,
  admittedBy: d.admittedBy.startsWith('host:')
    ? 'host'
    : d.admittedBy.startsWith('coordinator:')
      ? 'coordinator'
      : 'first-join',
  createdAt: iso(d.createdAt)!,
  lastSeenAt: iso(d.lastSeenAt)!,
  revokedAt: iso(d.revokedAt),
});

/**
 * Who may enter as a classroom, managed by coordinators: rotating classroom codes (one, or many at once
 * for reprinted slips), and the classroom PCs admitted to join (list, pre-approve, revoke). Each change is
 * in the audit log.
 */
export function classroomAccessRoutes(deps: ClassroomAccessRouteDeps): express.Router {
  const { store, roster, devices, audit } = deps;
  const router = express.Router();
  router.use('/api/classrooms', requireRole('coordinator'));

  const who = (req: Request, res: Response) => {
    const account = requireAccount(res, 'coordinator');
    const actor: AuditActor = { id: account.id, username: account.username };
    return { account, actor, source: sourceOf(req.ip) };
  };
  const classroomOf = async (req: Request): Promise<Classroom> => {
    const classroom = await store.getClassroom(parse(classroomParams, req.params).id);
    if (!classroom) throw new AppError('not_found', 'no such classroom');
    return classroom;
  };
  const subject = (c: Classroom) => ({ type: 'classroom' as const, id: c.id, name: c.name });

  const rotate = async (req: Request, res: Response, ids: readonly string[]) => {
    const { actor, source } = who(req, res);
    const rotated = await roster.rotateCodes(ids);
    await Promise.all(
      rotated.map((c) =>
        audit.record({
          kind: 'classroom_code_rotated',
          actor,
          source,
          subject: subject(c),
          details: { bulk: ids.length > 1 },
        }),
      ),
    );
    return rotated.map(classroomView);
  };

  router.post('/api/classrooms/codes', async (req, res) => {
    const { classroomIds } = parse(rotateCodesRequest, req.body);
    res.json({ classrooms: await rotate(req, res, classroomIds) });
  });

  router.post('/api/classrooms/:id/code', async (req, res) => {
    const classroom = await classroomOf(req);
    const [view] = await rotate(req, res, [classroom.id]);
    res.json({ classroom: view });
  });

  router.get('/api/classrooms/:id/devices', async (req, res) => {
    const classroom = await classroomOf(req);
    res.json({ devices: (await devices.list(classroom.id)).map(deviceView) });
  });

  router.post('/api/classrooms/:id/devices', async (req, res) => {
    const classroom = await classroomOf(req);
    const { label } = parse(approveDeviceRequest, req.body);
    const { account, actor, source } = who(req, res);
    const credential = await devices.admit(classroom.id, label, `coordinator:${account.id}`);
    const device = (await devices.list(classroom.id)).find((d) => d.id === credential.id)!;
    await audit.record({
      kind: 'device_approved',
      actor,
      source,
      subject: subject(classroom),
      details: { device: credential.id, label, by: 'coordinator' },
    });
    res.status(201).json({
      device: deviceView(device),
      enrollPath: `/enroll#${classroom.id}.${credential.id}.${credential.secret}`,
    });
  });

  router.delete('/api/classrooms/:id/devices/:deviceId', async (req, res) => {
    const { id, deviceId } = parse(deviceParams, req.params);
    const classroom = await classroomOf(req);
    if (!(await devices.revoke(id, deviceId))) throw new AppError('not_found', 'no such device');
    deps.deviceRevoked(deviceId);
    const { actor, source } = who(req, res);
    await audit.record({
      kind: 'device_revoked',
      actor,
      source,
      subject: subject(classroom),
      details: { device: deviceId },
    });
    res.status(204).end();
  });

  return router;
}
