/**
 * mulberry32: a small seedable generator, good enough for property tests to draw actions and timelines and
 * to replay a failing seed. (testkit/src/camera.ts keeps its own copy: it runs inside the page.)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
