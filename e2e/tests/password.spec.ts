/**
 * Changing one's own password in the browser: the current one is checked, the other logins end, the new
 * one logs in; the coordinator's audit log shows it.
 */
import { expect } from '@playwright/test';
import { apiLogin, COORDINATOR, loggedIn, test } from './fixtures.ts';

test('a teacher changes their password; their other login ends; the audit log shows it', async ({
  browser,
  request,
}) => {
  const who = { username: `e2e-pw-${Date.now()}`, password: 'first-pass-123' };
  await apiLogin(request, COORDINATOR);
  const created = await request.post('/api/accounts', {
    data: { ...who, displayName: '改密码老师', role: 'teacher' },
  });
  expect(created.status(), await created.text()).toBe(201);

  const here = await loggedIn(browser, who);
  const elsewhere = await loggedIn(browser, who);
  const page = await here.newPage();
  await page.goto('/teacher', { waitUntil: 'networkidle' });
  await page.getByTestId('change-password').click();
  await page.waitForURL(/\/account\/password/);
  await expect(page.getByRole('heading', { name: '修改密码' })).toBeVisible();

  await page.getByTestId('password-current').fill('not-my-password');
  await page.getByTestId('password-new').fill('second-pass-456');
  await page.getByTestId('password-repeat').fill('second-pass-456');
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-error')).toContainText('当前密码不对');

  await page.getByTestId('password-current').fill(who.password);
  await page.getByTestId('password-new').fill('second-pass-456');
  await page.getByTestId('password-repeat').fill('second-pass-45');
  await page.getByTestId('password-submit').click();
  await expect(page.getByText('两次输入的新密码不一样')).toBeVisible();
  await page.getByTestId('password-repeat').fill('second-pass-456');
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-done')).toBeVisible();

  // This page stays logged in; the other login went to the login page.
  await page.getByTestId('password-back').click();
  await page.waitForURL(/\/teacher$/);
  const other = await elsewhere.newPage();
  await other.goto('/teacher');
  await other.waitForURL(/\/login/);

  const again = await loggedIn(browser, { username: who.username, password: 'second-pass-456' });
  await again.close();

  const coordinator = await loggedIn(browser, COORDINATOR);
  const audit = await coordinator.newPage();
  await audit.goto('/coordinator/audit?kind=password_changed', { waitUntil: 'networkidle' });
  await expect(audit.getByTestId('audit-row').filter({ hasText: who.username }).first()).toContainText(
    '本人修改密码',
  );
});
