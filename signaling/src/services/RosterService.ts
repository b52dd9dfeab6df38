import { randomUUID } from 'node:crypto';
import { uniqueCode } from '../domain/codes.ts';
import { parseRosterCsv, planImport, rosterCsv } from '../domain/roster.ts';
import type { Classroom, School } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { ImportResult } from '@cloudschool/protocol';
import type { RosterStore } from '../store/Store.ts';
import { ConflictError } from '../store/Store.ts';

export interface SchoolInput {
  name: string;
  province: string;
  city: string;
  district: string;
  timeZone: string;
}

export interface ClassroomInput {
  schoolId: string;
  name: string;
  kind: 'host' | 'remote';
  notes: string;
}

/** Schools and classrooms: CSV import/export and single edits. */
export class RosterService {
  readonly #store: RosterStore;

  constructor(store: RosterStore) {
    this.#store = store;
  }

  async import(csv: string): Promise<ImportResult> {
    const parsed = parseRosterCsv(csv);
    if (!parsed.ok) throw new AppError('bad_csv', parsed.message, { lines: parsed.lines });
    const [schools, classrooms] = await Promise.all([
      this.#store.listSchools(),
      this.#store.listClassrooms(),
    ]);
    const plan = planImport(parsed.rows, schools, classrooms);
    await this.#store.importRoster(plan.schools, plan.classrooms);
    return plan.result;
  }

  async exportCsv(): Promise<string> {
    const [schools, classrooms] = await Promise.all([
      this.#store.listSchools(),
      this.#store.listClassrooms(),
    ]);
    return rosterCsv(schools, classrooms);
  }

  async createSchool(input: SchoolInput): Promise<School> {
    assertTimeZone(input.timeZone);
    const school: School = { id: randomUUID(), ...input };
    await this.#store.putSchool(school);
    return school;
  }

  async createClassroom(input: ClassroomInput): Promise<Classroom> {
    if (!(await this.#store.getSchool(input.schoolId))) throw new AppError('not_found', 'no such school');
    const codes = new Set((await this.#store.listClassrooms()).map((c) => c.code));
    const classroom: Classroom = { id: randomUUID(), ...input, code: uniqueCode(codes) };
    await this.#store.putClassroom(classroom);
    return classroom;
  }

  /**
   * New codes for these classrooms, in one write: their old codes, join links and calendar keys stop
   * working at once (each carries its code's fingerprint); their admitted PCs stay admitted.
   */
  async rotateCodes(ids: readonly string[]): Promise<Classroom[]> {
    const all = await this.#store.listClassrooms();
    const byId = new Map(all.map((c) => [c.id, c]));
    const missing = ids.find((id) => !byId.has(id));
    if (missing !== undefined) throw new AppError('not_found', `no such classroom: ${missing}`);
    const codes = new Set(all.map((c) => c.code));
    const rotated = [...new Set(ids)].map((id) => ({ ...byId.get(id)!, code: uniqueCode(codes) }));
    try {
      await this.#store.importRoster([], rotated);
    } catch (error) {
      if (error instanceof ConflictError)
        throw new AppError('conflict', 'the roster changed meanwhile: try again');
      throw error;
    }
    return rotated;
  }

  async updateClassroom(id: string, input: ClassroomInput): Promise<Classroom> {
    const existing = await this.#store.getClassroom(id);
    if (!existing) throw new AppError('not_found', 'no such classroom');
    if (!(await this.#store.getSchool(input.schoolId))) throw new AppError('not_found', 'no such school');
    const classroom: Classroom = { ...existing, ...input };
    await this.#store.putClassroom(classroom);
    return classroom;
  }
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError('bad_request', `unknown time zone "${timeZone}"`);
  }
}
