/**
 * The classroom's self-check in the browser: opens the camera and microphone for a few seconds (its own
 * tracks, closed at the end), looks at frames on a canvas, listens with a WebAudio AnalyserNode, plays a
 * short tone and listens for it, times a report's round trip to the server, and tries to start sound
 * without a click. What the results mean is readiness.ts (pure, tested); the state is the protocol's
 * judgeReadiness().
 *
 * Before the lesson the page has no media transport up (its ICE starts with the first consumer), so the
 * network check is the round trip of the report itself through the server plus the browser's own estimate
 * (`navigator.connection`); once the lesson runs, the quality reports judge the media path.
 */
import { readinessPending } from '@cloudschool/protocol';
import type { ReadinessResults } from '@cloudschool/protocol';
import { captureProblem } from './capture.ts';
import { deviceResult, judgeFrames, judgeMicrophone, judgeNetwork, rms, toneHeard } from './readiness.ts';

/** Camera frames looked at, and the time between two. */
const FRAMES = 5;
const FRAME_GAP_MS = 200;
/** A small picture is enough to tell black or frozen, and cheap to compare. */
const SAMPLE_W = 64;
const SAMPLE_H = 36;
/** The microphone is listened to this long, its level read every LEVEL_GAP_MS… */
const LISTEN_MS = 2000;
const LEVEL_GAP_MS = 100;
/**
 * …over the last 32768 samples (≈ 0.7 s): windows that overlap, so a short sound between two readings (a
 * word, Chromium's fake microphone's beeps) is never missed, even when timers run late on a busy PC.
 */
const LEVEL_SAMPLES = 32768;
/** The tone: high enough to stand apart from voices and hum, short, not loud. */
const TONE_HZ = 2500;
const TONE_MS = 1000;
const TONE_GAIN = 0.3;
/** How long a browser that refuses sound without a click gets to say so. */
const RESUME_WAIT_MS = 500;
/**
 * How long a camera or microphone gets to open. Longer means a permission prompt nobody answers (an unattended
 * PC without the policies of infra/classroom-pc.md): reported as not allowed rather than checking for ever.
 */
const OPEN_WAIT_MS = 10_000;
/** How long the camera gets to show its first frame. */
const PLAY_WAIT_MS = 5000;

/** The prompt was not answered in time. */
class Unanswered extends Error {
  override name = 'NotAllowedError';
}

export interface ReadinessRun {
  /** Sends a report to the server; resolves when acknowledged, with the request's round trip (ms). */
  report(results: ReadinessResults): Promise<number>;
  /** The results so far, after each check (the page's own screen). */
  progress(results: ReadinessResults): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs every check once; resolves with the final results, reported to the server. */
export async function runReadiness(run: ReadinessRun): Promise<ReadinessResults> {
  let results: ReadinessResults = { ...readinessPending };
  const set = (change: Partial<ReadinessResults>): void => {
    results = { ...results, ...change };
    run.progress(results);
  };
  run.progress(results);

  // The first report says "checking" to the host side, and its round trip is the network's measure.
  const rtt = await run.report(results).catch(() => null);
  const connection = (navigator as Navigator & { connection?: { effectiveType?: string } }).connection;
  set({ network: judgeNetwork(rtt, connection?.effectiveType) });

  const audio = new AudioContext();
  try {
    if (audio.state !== 'running') await Promise.race([audio.resume(), sleep(RESUME_WAIT_MS)]);
    const soundOk = audio.state === 'running';
    set({ sound: soundOk ? 'ok' : 'blocked' });
    set({ camera: await checkCamera() });
    const microphone = await checkMicrophone(audio, soundOk);
    set({ microphone: microphone.result, speaker: microphone.speaker });
  } finally {
    void audio.close();
  }
  await run.report(results).catch((error: unknown) => {
    console.warn('[cloudschool] readiness:report', error);
  });
  return results;
}

/** A device's stream, or NotAllowedError after OPEN_WAIT_MS (a stream that comes later is stopped at once). */
async function open(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!window.isSecureContext) throw new DOMException('not a secure page', 'SecurityError');
  const opening = navigator.mediaDevices.getUserMedia(constraints);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void opening.then((stream) => stream.getTracks().forEach((track) => track.stop())).catch(() => {});
      reject(new Unanswered('no answer to the permission prompt'));
    }, OPEN_WAIT_MS);
  });
  try {
    return await Promise.race([opening, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkCamera(): Promise<ReadinessResults['camera']> {
  let stream: MediaStream;
  try {
    stream = await open({ video: { width: { ideal: 320 }, height: { ideal: 180 } } });
  } catch (error) {
    return deviceResult(captureProblem(error));
  }
  try {
    const track = stream.getVideoTracks()[0];
    if (!track) return 'not_found';
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    const playing = await Promise.race([
      video.play().then(() => true),
      sleep(PLAY_WAIT_MS).then(() => false),
    ]);
    if (!playing) return 'black';
    const canvas = document.createElement('canvas');
    canvas.width = SAMPLE_W;
    canvas.height = SAMPLE_H;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return 'error';
    const frames: Uint8ClampedArray[] = [];
    for (let i = 0; i < FRAMES; i++) {
      if (i > 0) await sleep(FRAME_GAP_MS);
      context.drawImage(video, 0, 0, SAMPLE_W, SAMPLE_H);
      frames.push(context.getImageData(0, 0, SAMPLE_W, SAMPLE_H).data);
    }
    video.srcObject = null;
    return judgeFrames(frames);
  } catch (error) {
    console.warn('[cloudschool] camera check', error);
    return 'error';
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

/**
 * The microphone, then (with it) the speaker. Raw sound: the browser's echo cancellation would take out the
 * very tone it listens for. Without sound (autoplay refused) WebAudio runs nothing: the level waits for the
 * next check, which the tutor's click starts.
 */
async function checkMicrophone(
  audio: AudioContext,
  soundOk: boolean,
): Promise<{ result: ReadinessResults['microphone']; speaker: ReadinessResults['speaker'] }> {
  let stream: MediaStream;
  try {
    stream = await open({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (error) {
    return { result: deviceResult(captureProblem(error)), speaker: 'untested' };
  }
  try {
    const track = stream.getAudioTracks()[0];
    if (!track) return { result: 'not_found', speaker: 'untested' };
    if (track.muted || !track.enabled) return { result: 'muted', speaker: 'untested' };
    if (!soundOk) return { result: 'pending', speaker: 'untested' };
    const source = audio.createMediaStreamSource(stream);
    const level = audio.createAnalyser();
    level.fftSize = LEVEL_SAMPLES;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 2048;
    // Each window on its own: smoothing would carry a beep into the next windows.
    analyser.smoothingTimeConstant = 0;
    // Not connected to the speakers: the classroom must not hear itself.
    source.connect(level);
    source.connect(analyser);
    const wave = new Float32Array(level.fftSize);
    const levels: number[] = [];
    const toneBin = Math.round(TONE_HZ / (audio.sampleRate / analyser.fftSize));
    const spectrum = new Float32Array(analyser.frequencyBinCount);
    const toneDb = (): number => {
      analyser.getFloatFrequencyData(spectrum);
      return Math.max(spectrum[toneBin - 1]!, spectrum[toneBin]!, spectrum[toneBin + 1]!);
    };
    const before: number[] = [];
    for (let t = 0; t < LISTEN_MS; t += LEVEL_GAP_MS) {
      await sleep(LEVEL_GAP_MS);
      level.getFloatTimeDomainData(wave);
      levels.push(rms(wave));
      before.push(toneDb());
    }
    const result = judgeMicrophone(track.muted, levels);
    if (result !== 'ok') return { result, speaker: 'untested' };

    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = TONE_HZ;
    gain.gain.value = TONE_GAIN;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    const during: number[] = [];
    // The first windows let the sound reach the room and come back.
    await sleep(2 * LEVEL_GAP_MS);
    for (let t = 2 * LEVEL_GAP_MS; t < TONE_MS; t += LEVEL_GAP_MS) {
      await sleep(LEVEL_GAP_MS);
      during.push(toneDb());
    }
    tone.stop();
    source.disconnect();
    return { result, speaker: toneHeard(before, during) ? 'ok' : 'not_heard' };
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
