/**
 * Seeded pseudo-randomness for the simulator. Faults must replay: the same fixture seed and the
 * same requests give the same outcomes, even when concurrency reorders the requests. So besides a
 * sequential generator, draws can be derived from a hash of (seed, key, counter): the n-th request
 * for a datasource draws the same numbers whatever else happened in between.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for fault injection, not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A 32-bit hash of the seed and the parts (FNV-1a, then murmur3's finaliser to spread the bits). */
export function hashParts(seed: number, ...parts: readonly (string | number)[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  const text = parts.join("\u0000");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A generator for one keyed draw: `keyedRandom(seed, "ds", id, 3)` always yields the same sequence. */
export function keyedRandom(seed: number, ...parts: readonly (string | number)[]): () => number {
  return seededRandom(hashParts(seed, ...parts));
}
