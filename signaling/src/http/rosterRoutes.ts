import express from 'express';
import { AppError } from '../errors.ts';
import { classroomRequest, schoolRequest } from '@cloudschool/protocol';
import type { RosterService } from '../services/RosterService.ts';
import { classroomView, schoolView } from '../services/views.ts';
import type { RosterStore } from '../store/Store.ts';
import { ConflictError } from '../store/Store.ts';
import { parse, requireRole } from './middleware.ts';

/** An 800-classroom roster is ~60 kB; 2 MB leaves room for 20,000 rows. */
const MAX_CSV_BYTES = '2mb';

export function rosterRoutes(deps: { store: RosterStore; roster: RosterService }): express.Router {
  const { store, roster } = deps;
  const router = express.Router();
  router.use(['/api/schools', '/api/classrooms', '/api/roster'], requireRole('coordinator'));

  router.get('/api/schools', async (_req, res) => {
    res.json({ schools: (await store.listSchools()).map(schoolView) });
  });

  router.post('/api/schools', async (req, res) => {
    res.status(201).json({ school: schoolView(await roster.createSchool(parse(schoolRequest, req.body))) });
  });

  router.get('/api/classrooms', async (_req, res) => {
    res.json({ classrooms: (await store.listClassrooms()).map(classroomView) });
  });

  router.post('/api/classrooms', async (req, res) => {
    const classroom = await roster.createClassroom(parse(classroomRequest, req.body));
    res.status(201).json({ classroom: classroomView(classroom) });
  });

  router.put('/api/classrooms/:id', async (req, res) => {
    const classroom = await roster.updateClassroom(String(req.params.id), parse(classroomRequest, req.body));
    res.json({ classroom: classroomView(classroom) });
  });

  router.post(
    '/api/roster/import',
    express.text({ type: ['text/csv', 'text/plain'], limit: MAX_CSV_BYTES }),
    async (req, res) => {
      if (typeof req.body !== 'string') throw new AppError('bad_request', 'send the CSV file as text/csv');
      try {
        res.json(await roster.import(req.body));
      } catch (error) {
        if (error instanceof ConflictError)
          throw new AppError('conflict', 'the roster changed during the import: try again');
        throw error;
      }
    },
  );

  router.get('/api/roster/export', async (_req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .attachment('cloudschool-roster.csv')
      .send(await roster.exportCsv());
  });

  return router;
}
