import { describe, expect, it } from 'vitest';
import type { AuditEntryView } from '@cloudschool/protocol';
import { translate } from '#lib/i18n/index.ts';
import type { Translate } from '#lib/i18n/errors.ts';
import { auditActorText, auditDetailsText, auditSubjectText } from './auditText.ts';

const zh: Translate = (key, vars) => translate('zh-CN', key, vars);
const en: Translate = (key, vars) => translate('en', key, vars);

const entry = (overrides: Partial<AuditEntryView>): AuditEntryView => ({
  id: 'e1',
  at: '2026-12-01T01:00:00.000Z',
  kind: 'login',
  actor: { id: 'a1', username: 'admin' },
  source: '203.0.113.7',
  subject: { type: 'account', id: 'a2', name: 'wang' },
  details: {},
  ...overrides,
});

describe('audit entries in words', () => {
  it('names the subject by its kind, and the actor (or nobody, or the shell)', () => {
    expect(auditSubjectText(zh, entry({}))).toBe('账号 wang');
    expect(auditSubjectText(en, entry({ subject: { type: 'lesson', id: 'l', name: '数学' } }))).toBe(
      'Lesson 数学',
    );
    expect(auditSubjectText(zh, entry({ subject: null }))).toBe('');
    expect(auditActorText(zh, entry({}))).toBe('admin');
    expect(auditActorText(zh, entry({ kind: 'login_failed', actor: null }))).toBe('—');
    expect(auditActorText(zh, entry({ kind: 'password_reset', actor: null, source: null }))).toBe(
      '服务器命令行',
    );
  });

  it('says roles, ended sessions and unknown usernames in the page’s language', () => {
    expect(
      auditDetailsText(zh, entry({ kind: 'role_changed', details: { from: 'teacher', to: 'coordinator' } })),
    ).toBe('主讲老师 → 教务老师');
    expect(
      auditDetailsText(zh, entry({ kind: 'account_changed', details: { from: '王', to: '王老师' } })),
    ).toBe('王 → 王老师');
    expect(auditDetailsText(en, entry({ kind: 'sessions_revoked', details: { count: 2 } }))).toBe(
      'signed out on 2 computers',
    );
    expect(auditDetailsText(zh, entry({ kind: 'password_reset', details: { sessions: 0 } }))).toBe('');
    expect(auditDetailsText(zh, entry({ kind: 'account_created', details: { role: 'teacher' } }))).toBe(
      '主讲老师',
    );
    expect(auditDetailsText(zh, entry({ kind: 'login_failed', details: { username: 'ghost' } }))).toBe(
      '不存在的用户名：ghost',
    );
    expect(
      auditDetailsText(en, entry({ kind: 'device_approved', details: { label: 'PC-2', ok: true } })),
    ).toBe('label: PC-2；ok: true');
  });
});
