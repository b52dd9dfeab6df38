/**
 * Issue 14, recording in the live lesson: a coordinator marks the lesson 自动录制 on its page; it records as
 * soon as the host goes on air, and the host console and a classroom's projector say 录制中; the host stops
 * and starts it again with the record button ("录制中 00:0x"); a coordinator on patrol stops it; the lesson
 * lists both recordings, complete; the coordinator finds them in 录像库 with their length and a replay link;
 * the host teacher plays the latest full screen (projector) and exports it as one MP4 from its replay page
 * (progress, then a download that ffprobe reads as H.264 + AAC as long as the recording).
 */
import { execFileSync } from 'node:child_process';
import { expect } from '@playwright/test';
import type { LessonRecordings, LessonReplay, LessonView } from '@cloudschool/protocol';
import {
  apiLogin,
  classroomStatus,
  COORDINATOR,
  loggedIn,
  scheduleLessonNow,
  TEACHER,
  test,
} from './fixtures.ts';

test('自动录制 starts with the broadcast; the host stops and restarts it; every page says 录制中', async ({
  browser,
  request,
}, info) => {
  const lesson = await scheduleLessonNow(request, 1);

  // The coordinator marks it on the lesson's page.
  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto(`/coordinator/lessons/${lesson.lessonId}`);
  await coordinator.getByTestId('edit-lesson').click();
  const auto = coordinator.getByTestId('lesson-record-automatically');
  await expect(auto).not.toBeChecked();
  await auto.check();
  await coordinator.getByTestId('lesson-save').click();
  await expect(coordinator.getByTestId('lesson-notice')).toBeVisible();
  await expect(coordinator.getByTestId('lesson-record-automatically-shown')).toContainText('是');
  await apiLogin(request, COORDINATOR);
  const view = (await (await request.get(`/api/lessons/${lesson.lessonId}`)).json()) as {
    lesson: LessonView;
  };
  expect(view.lesson.recordAutomatically).toBe(true);

  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  const room = await (await browser.newContext()).newPage();
  await room.goto(lesson.joinUrls[0]!);
  await expect(classroomStatus(room)).toHaveAttribute('data-status', 'waiting');
  await expect(room.getByTestId('recording-badge')).toHaveCount(0);

  // Going on air starts the recording by itself: the host sees it counting, the classroom is told.
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  await expect(classroomStatus(room)).toHaveAttribute('data-status', 'live');
  const control = host.getByTestId('recording-control');
  await expect(control.getByTestId('recording-badge')).toHaveText(/录制中 \d\d:\d\d/);
  await expect(room.getByTestId('recording-badge')).toHaveText('录制中');

  // The host stops it (after a few seconds: a recording's files start at the camera's first key frame),
  // and starts it again.
  await expect(control.getByTestId('recording-badge')).toHaveText(/录制中 00:0[5-9]/, { timeout: 15_000 });
  await host.getByTestId('stop-recording').click();
  await expect(host.getByTestId('start-recording')).toHaveText('开始录制');
  await expect(room.getByTestId('recording-badge')).toHaveCount(0);
  await host.getByTestId('start-recording').click();
  await expect(control.getByTestId('recording-badge')).toHaveText(/录制中 00:0\d/);
  await expect(room.getByTestId('recording-badge')).toHaveText('录制中');
  await expect(control.getByTestId('recording-badge')).toHaveText(/录制中 00:0[5-9]/, { timeout: 15_000 });
  // A coordinator on patrol sees it and stops it (district staff run recordings too).
  await coordinator.goto(`/coordinator/patrol/${lesson.lessonId}`);
  await expect(coordinator.getByTestId('recording-badge')).toHaveText(/录制中 \d\d:\d\d/);
  await coordinator.getByTestId('stop-recording').click();
  await expect(room.getByTestId('recording-badge')).toHaveCount(0);
  await expect(host.getByTestId('start-recording')).toHaveText('开始录制');

  const listed = (await (
    await request.get(`/api/lessons/${lesson.lessonId}/recordings`)
  ).json()) as LessonRecordings;
  expect(listed.recordings.map((r) => r.status)).toEqual(['complete', 'complete']);
  for (const recording of listed.recordings) {
    expect(recording.segments.length, JSON.stringify(recording)).toBeGreaterThan(0);
    expect(recording.durationMs).toBeGreaterThan(3_000);
  }

  // The library, from the coordinators' menu: both recordings of the lesson, their length as listed.
  await coordinator.goto('/coordinator');
  await coordinator.getByRole('link', { name: '录像库' }).click();
  const rows = coordinator.locator(`[data-testid="recording-row"][data-lesson-id="${lesson.lessonId}"]`);
  await expect(rows).toHaveCount(2);
  const mss = (ms: number): string => {
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  };
  // Newest first.
  const lengths = [...listed.recordings].reverse().map((r) => mss(r.durationMs));
  await expect(rows.getByTestId('recording-duration')).toHaveText(lengths);
  await expect(rows.first().getByTestId('recording-replay')).toHaveAttribute(
    'href',
    `/replay/${lesson.lessonId}`,
  );

  // The host teacher exports the latest recording as one MP4 on its replay page and downloads it.
  await host.goto(`/replay/${lesson.lessonId}`);
  // On a projector the replay takes the whole screen (F or the button), the board most of it.
  await expect(host.getByTestId('replay')).toHaveAttribute('data-ready', 'true');
  const projector = host.getByTestId('replay-fullscreen');
  await projector.click();
  await expect(projector).toHaveAttribute('aria-pressed', 'true');
  const screen = host.viewportSize()!;
  await expect
    .poll(async () => ((await host.getByTestId('replay-board').boundingBox())?.width ?? 0) / screen.width)
    .toBeGreaterThan(0.6);
  await host.keyboard.press('f');
  await expect(projector).toHaveAttribute('aria-pressed', 'false');
  const exporting = host.getByTestId('replay-export');
  await expect(exporting).toHaveAttribute('data-state', 'none');
  await exporting.getByTestId('replay-export-start').click();
  await expect(exporting).toHaveAttribute('data-state', /queued|running|done/);
  const link = exporting.getByTestId('replay-export-download');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([host.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/\.mp4$/);
  const file = info.outputPath('export.mp4');
  await download.saveAs(file);
  const probe = JSON.parse(
    execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file],
      { encoding: 'utf8' },
    ),
  ) as { streams: { codec_name: string }[]; format: { duration: string } };
  expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  const replay = (await (await request.get(`/api/lessons/${lesson.lessonId}/replay`)).json()) as LessonReplay;
  expect(replay.recordingId).toBe(listed.recordings[1]!.id);
  const span = (replay.endedAt - replay.startedAt) / 1000;
  expect(Math.abs(Number(probe.format.duration) - span)).toBeLessThanOrEqual(1);
});
