/**
 * npm run bench:convert — how fast the server turns PowerPoint courseware into PDF, and what it costs: decks
 * of 3, 20 and 60 slides (pptxgenjs: a title, a line of Chinese and Latin text and a shape per slide), and of
 * 3, 20 and 40 slides with an 800×450 photo-like picture on each (what makes real decks big and slow), each
 * converted RUNS times by the server's own SlideConverter (LibreOffice headless, a fresh profile per run, as
 * on an upload), one after the other. Measured: seconds per deck, slides per second, LibreOffice's peak
 * resident memory (its processes sampled every 50 ms), the PDF's size. Writes bench/results/convert.{md,json}.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePptx } from '@cloudschool/testkit/slides';
import { SlideConverter } from '../signaling/src/board/SlideConverter.ts';
import { distribution, gitCommit, machine, round, writeResults } from './support/report.ts';
import type { Distribution } from './support/report.ts';

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const DECKS = (process.env.BENCH_DECKS ?? '3,20,60').split(',').map(Number);
const PICTURE_DECKS = (process.env.BENCH_PICTURE_DECKS ?? '3,20,40').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Resident memory of every LibreOffice process now, MiB. */
function sofficeRssMiB(): number {
  try {
    const out = execFileSync('ps', ['-C', 'soffice.bin', '-o', 'rss='], { encoding: 'utf8' });
    return out
      .split('\n')
      .map(Number)
      .filter((kib) => kib > 0)
      .reduce((sum, kib) => sum + kib / 1024, 0);
  } catch {
    return 0; // ps answers 1 when no such process runs
  }
}

interface DeckResult {
  slides: number;
  pictures: boolean;
  pptxKiB: number;
  pdfKiB: number;
  seconds: Distribution;
  slidesPerSecond: number;
  peakRssMiB: number;
}

const version = execFileSync('soffice', ['--version'], { encoding: 'utf8' }).trim();
const startedAt = new Date();
const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-convert-'));
const converter = SlideConverter.create();
const results: DeckResult[] = [];
try {
  const decks = [
    ...DECKS.map((slides) => ({ slides, pictures: false })),
    ...PICTURE_DECKS.map((slides) => ({ slides, pictures: true })),
  ];
  for (const { slides, pictures } of decks) {
    const name = `deck-${slides}${pictures ? '-pictures' : ''}`;
    const source = path.join(dir, `${name}.pptx`);
    writeFileSync(source, await makePptx(slides, { pictures }));
    const seconds: number[] = [];
    let peak = 0;
    let pdfBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const target = path.join(dir, `${name}-${run}.pdf`);
      const sampler = setInterval(() => (peak = Math.max(peak, sofficeRssMiB())), 50);
      const t0 = performance.now();
      try {
        await converter.convert(source, PPTX, target);
      } finally {
        clearInterval(sampler);
      }
      seconds.push((performance.now() - t0) / 1000);
      pdfBytes = statSync(target).size;
    }
    const dist = distribution(seconds, 2);
    results.push({
      slides,
      pictures,
      pptxKiB: round(statSync(source).size / 1024),
      pdfKiB: round(pdfBytes / 1024),
      seconds: dist,
      slidesPerSecond: round(slides / dist.p50, 1),
      peakRssMiB: round(peak),
    });
    process.stderr.write(`${name}: p50 ${dist.p50} s, peak ${round(peak)} MiB\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const m = machine();
const json = {
  benchmark: 'PowerPoint → PDF conversion (courseware upload)',
  date: startedAt.toISOString(),
  commit: gitCommit(),
  command: 'npm run bench:convert',
  machine: m,
  libreoffice: version,
  parameters: { decks: DECKS, pictureDecks: PICTURE_DECKS, runs: RUNS },
  results,
};
const md = [
  '# Courseware conversion: PowerPoint → PDF',
  '',
  `Decks made by pptxgenjs (per slide a title, a line of Chinese and Latin text and a shape; and, in the decks marked so, an 800×450 photo-like picture), each converted ${RUNS} times, one after the other, by the server's SlideConverter — LibreOffice headless with a fresh profile per conversion, as on a teacher's upload (the upload itself is not timed; presentations are taken up to 60 MB, the 40-picture deck is near that). Peak memory: LibreOffice's processes, sampled every 50 ms.`,
  '',
  `- ${json.date}, commit ${json.commit}, \`${json.command}\` (BENCH_DECKS=${DECKS.join(',')}, BENCH_PICTURE_DECKS=${PICTURE_DECKS.join(',')}, BENCH_RUNS=${RUNS})`,
  `- machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}; ${version}; load average at start ${m.loadAverageAtStart}`,
  '',
  '| slides | pictures | pptx KiB | PDF KiB | seconds p50 / p95 / max | slides per second (p50) | LibreOffice peak RSS MiB |',
  '|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.slides} | ${r.pictures ? 'yes' : 'no'} | ${r.pptxKiB} | ${r.pdfKiB} | ${r.seconds.p50} / ${r.seconds.p95} / ${r.seconds.max} | ${r.slidesPerSecond} | ${r.peakRssMiB} |`,
  ),
  '',
  `A conversion runs alone (SlideConverter queues the others, at most 4 waiting, and stops one after 120 s). The ${results[0]!.slides}-slide deck's ${results[0]!.seconds.p50} s is mostly LibreOffice starting with a fresh profile; what grows with the deck is the slides, and their pictures most.`,
  '',
].join('\n');
writeResults('convert', json, md);
