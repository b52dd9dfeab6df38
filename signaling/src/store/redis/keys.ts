/**
 * The Redis key layout of RedisStore. The names are declared with each entity (entities/), the generic
 * collections place records by them (RedisCollection, RedisMembers, RedisLog), and RedisKeys below is the
 * one place a key is built. `<p>` is the prefix (`cs` unless configured); every id, code, username and name
 * is encodeURIComponent-encoded, so no value can contain a ':' and reach another key.
 *
 * | key                          | type       | holds                                                        |
 * | ---------------------------- | ---------- | ------------------------------------------------------------ |
 * | <p>:schools                  | set        | ids of all schools                                           |
 * | <p>:school:<id>              | string     | School JSON                                                  |
 * | <p>:classrooms               | set        | ids of all classrooms                                        |
 * | <p>:classroom:<id>           | string     | Classroom JSON                                               |
 * | <p>:classroom-code:<code>    | string     | id of the classroom that has the code (uniqueness index)     |
 * | <p>:accounts                 | set        | ids of all accounts                                          |
 * | <p>:account:<id>             | string     | Account JSON                                                 |
 * | <p>:account-username:<name>  | string     | id of the account that has the username (uniqueness index)   |
 * | <p>:session:<id>             | string     | Session JSON; PX expiry at Session.expiresAt                 |
 * | <p>:logins:<accountId>       | hash       | sessionId → Login JSON (expired ones dropped when listed)    |
 * | <p>:attempts:<key>           | hash       | count, notBefore, expiresAt; PEXPIRE when forgotten          |
 * | <p>:audit                    | hash       | audit entry id → AuditEntry JSON                             |
 * | <p>:audit:all                | sorted set | audit entry ids, scored by at · 1000 + seq mod 1000          |
 * | <p>:audit:kind:<kind>        | sorted set | the same, of one kind                                        |
 * | <p>:audit:seq                | string     | the number of audit entries appended (INCR)                  |
 * | <p>:lesson:<id>              | string     | Lesson JSON                                                  |
 * | <p>:lessons:by-start         | sorted set | lesson ids, scored by startsAt                               |
 * | <p>:attendance:<lessonId>    | list       | AttendanceEvent JSON, oldest first                           |
 * | <p>:presence:<lessonId>      | hash       | connectionId → {presence, expiresAt} JSON; PEXPIRE on the key |
 * | <p>:secret:<name>            | string     | the secret, written once (SET NX)                            |
 *
 * The live interaction of a lesson (RoomStore); members, fields and values are plain ids, not encoded:
 *
 * | key                                     | type       | holds                                             |
 * | --------------------------------------- | ---------- | ------------------------------------------------- |
 * | <p>:hands:<lessonId>                    | sorted set | classroom ids with a hand up, scored by raisedAt  |
 * | <p>:stage:<lessonId>                    | string     | StageMember[] JSON; no key for an empty stage     |
 * | <p>:questions:<lessonId>                | sorted set | question ids, scored by createdAt                 |
 * | <p>:question:<lessonId>:<id>            | string     | Question JSON                                     |
 * | <p>:votes:<lessonId>:<questionId>       | set        | ids of the classrooms that voted for it           |
 * | <p>:quizzes:<lessonId>                  | sorted set | quiz ids, scored by startedAt                     |
 * | <p>:quiz:<lessonId>:<id>                | string     | Quiz JSON                                         |
 * | <p>:quiz-answers:<lessonId>:<quizId>    | hash       | classroomId → QuizAnswer JSON (one per classroom) |
 * | <p>:chat:<lessonId>:<classroomId>       | list       | ChatMessage JSON, in the order appended           |
 * | <p>:chat-read:<lessonId>:<classroomId>  | hash       | side ('host' / 'classroom') → read until, ms      |
 *
 * The whiteboard of a lesson (BoardStore):
 *
 * | key                                     | type       | holds                                             |
 * | --------------------------------------- | ---------- | ------------------------------------------------- |
 * | <p>:board-ops:<lessonId>                | stream     | the operation log: entry id `<seq>-0`, field `op` |
 * |                                         |            | = the operation's JSON without its seq            |
 * | <p>:board-snapshot:<lessonId>           | hash       | `seq` → the seq it covers, `state` → BoardState   |
 * |                                         |            | JSON; the log keeps only the entries after `seq`  |
 * | <p>:board-history:<lessonId>            | stream     | the entries compaction moved out of the log (same |
 * |                                         |            | ids and fields), kept for the lesson's replay     |
 *
 * Lesson recordings (RecordingStore):
 *
 * | key                                     | type       | holds                                             |
 * | --------------------------------------- | ---------- | ------------------------------------------------- |
 * | <p>:recordings:<lessonId>               | hash       | recording id → Recording JSON                     |
 * | <p>:recordings-open:<nodeId>            | hash       | recording id → OpenRecording JSON (being written) |
 * | <p>:recording-segments:<recordingId>    | list       | RecordingSegment JSON, in the order appended      |
 * | <p>:lesson-events:<lessonId>            | list       | LessonEvent JSON (hands, stage, layout, marks),   |
 * |                                         |            | in the order appended                             |
 *
 * The board keys are written only by the scripts of boardScripts.ts (append: next seq = 1 + the highest of the
 * stream's last entry and the snapshot's seq; compact: snapshot, the covered entries copied to the history and
 * XTRIM MINID in one step).
 *
 * A sorted set orders equal scores by member bytes; the stores sort what they list in order.ts anyway.
 *
 * The index keys (code, username) are written only by the Lua script of putRecordsScript.ts together
 * with their record, so a record and its index entry never disagree. The layout assumes one Redis (or one
 * cluster slot): a multi-key script or MULTI spans keys of several of these.
 */
export class RedisKeys {
  readonly #prefix: string;

  constructor(prefix: string) {
    if (prefix.length === 0) throw new Error('a Redis key prefix must not be empty');
    this.#prefix = encodeURIComponent(prefix);
  }

  /** `<prefix>:<name>:<part>…`: `name` as declared (it may hold a ':'), each part encoded. */
  key(name: string, ...parts: readonly string[]): string {
    return [this.#prefix, name, ...parts.map(encodeURIComponent)].join(':');
  }
}
