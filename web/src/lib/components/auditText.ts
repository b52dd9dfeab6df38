/** An audit log entry in the page's words: its kind, who, what it was done to, and its details. */
import type { AuditEntryView } from '@cloudschool/protocol';
import type { Translate } from '#lib/i18n/errors.ts';

/** `账号 wang`, `课程 数学`; empty when the entry has no subject. */
export function auditSubjectText(t: Translate, entry: AuditEntryView): string {
  if (!entry.subject) return '';
  return `${t(`audit.subjectType.${entry.subject.type}`)} ${entry.subject.name}`;
}

/** The actor's username; the shell when an account change came from no one logged in. */
export function auditActorText(t: Translate, entry: AuditEntryView): string {
  if (entry.actor) return entry.actor.username;
  const fromShell =
    entry.source === null && entry.kind !== 'login_failed' && entry.subject?.type === 'account';
  return fromShell ? t('audit.shell') : t('audit.nobody');
}

const roleKeys = { coordinator: 'role.coordinator', teacher: 'role.teacher' } as const;

/** A role's name, or the value as it is. */
function valueText(t: Translate, kind: AuditEntryView['kind'], value: unknown): string {
  if (kind === 'role_changed' && (value === 'coordinator' || value === 'teacher')) return t(roleKeys[value]);
  return String(value);
}

/** What the details say: `教务老师 → 主讲老师`, `退出了 2 台电脑的登录`, other facts as `key: value`. */
export function auditDetailsText(t: Translate, entry: AuditEntryView): string {
  const { from, to, sessions, count, disabled, username, role, ...rest } = entry.details;
  const parts: string[] = [];
  if (role === 'coordinator' || role === 'teacher') parts.push(t(roleKeys[role]));
  if (from !== undefined && to !== undefined)
    parts.push(`${valueText(t, entry.kind, from)} → ${valueText(t, entry.kind, to)}`);
  const ended = typeof sessions === 'number' ? sessions : typeof count === 'number' ? count : 0;
  if (ended > 0) parts.push(t('audit.detail.sessions', { n: ended }));
  if (disabled === true) parts.push(t('audit.detail.disabled'));
  if (typeof username === 'string') parts.push(t('audit.detail.unknownUser', { name: username }));
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}: ${String(value)}`);
  return parts.join('；');
}
