/**
 * A speaking teacher for the fake microphone: Chromium's own fake microphone plays a short beep a second and
 * silence between, a signal Opus may code without any of its speech machinery (in-band FEC, LBRR, exists in
 * its SILK — speech — layers only), so a bench of voice over lossy links must speak. ffmpeg's flite filter
 * says a few sentences (16 s, pauses between them, as a teacher's voice has), written as 48 kHz mono WAV;
 * Chromium loops it (`--use-file-for-fake-audio-capture`).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const TEXT =
  'Good morning, class. Today we will read the second lesson together. Please open your books to page ' +
  'twelve. Look at the picture first. What can you see? A river, a bridge, and a small village beside the ' +
  'mountains. Now listen carefully, and repeat after me.';

/** Writes the speech into `dir` and returns Chromium's switch that makes it every page's microphone. */
export function speakingMicrophone(dir: string): string {
  const file = path.join(dir, 'speech.wav');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `flite=text='${TEXT}':voice=slt`],
    ...['-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', file],
  ]);
  return `--use-file-for-fake-audio-capture=${file}`;
}
