/**
 * A node that only records, as a child process the crash test kills with SIGKILL: a room on a test Sfu, a
 * host peer with plain send transports, a SQLite store and a Recorder under DATA_DIR (node id 'node-a').
 * Prints one JSON line once recording: the recording's id, ffmpeg's pid and the ports to send the host's
 * media to.
 */
import { pino } from 'pino';
import { testSfu } from '@cloudschool/sfu/testing';
import { audioRtpParameters, videoRtpParameters } from '@cloudschool/testkit';
import { Recorder } from '../../src/recording/Recorder.ts';
import { RECORDER_DEFAULTS } from '../../src/recording/RecorderTypes.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';

const dataDir = process.env['DATA_DIR'];
if (!dataDir) throw new Error('DATA_DIR is not set');
const sfu = await testSfu(1);
const store = await SqliteStore.open(dataDir);
const { recorder } = await Recorder.create({
  ...RECORDER_DEFAULTS,
  store,
  nodeId: 'node-a',
  dataDir,
  logger: pino({ level: 'silent' }),
});
const room = await sfu.room('lesson-crash');
const host = room.peer('host', 'sender');
const video = await host.createPlainTransport('send');
const audio = await host.createPlainTransport('send');
const camera = await host.produce(video.id, 'video', videoRtpParameters, { source: 'camera' });
const mic = await host.produce(audio.id, 'audio', audioRtpParameters, { source: 'mic' });
const recording = await recorder.start('lesson-crash', room, [
  { source: 'camera', kind: 'video', producerId: camera.id },
  { source: 'mic', kind: 'audio', producerId: mic.id },
]);
process.stdout.write(
  JSON.stringify({
    recordingId: recording.id,
    ffmpegPid: recording.ffmpegPid,
    ip: video.ip,
    videoPort: video.port,
    audioPort: audio.port,
  }) + '\n',
);
