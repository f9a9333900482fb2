import { hashParts } from "./seeded-random.js";

const GROUP = 36 ** 5;
/** Coprime with 36^5, so multiplying by it permutes sequence numbers: unique, yet not visibly sequential. */
const SCRAMBLE = 1_000_003;

/**
 * Makes toes shaped like Domo's (`DM4X9GT6H5-5ERQX-MPDO6`: 10-5-5 of [0-9A-Z]). The middle group is
 * a permutation of the sequence number, so toes never repeat within one simulator (up to 36^5 of
 * them); `nonce` varies the rest between simulators, so a journal kept across restarts of the
 * simulator does not collect the same toe twice.
 */
export function createToeGenerator(nonce: number): () => string {
  let sequence = 0;
  const offset = nonce % GROUP;
  return () => {
    const n = sequence++;
    const first = group(hashParts(nonce, "toe-a", n) % GROUP) + group(hashParts(nonce, "toe-b", n) % GROUP);
    const middle = group(((((n % GROUP) * SCRAMBLE) % GROUP) + offset) % GROUP);
    const last = group(hashParts(nonce, "toe-c", n) % GROUP);
    return `${first}-${middle}-${last}`;
  };
}

function group(value: number): string {
  return value.toString(36).toUpperCase().padStart(5, "0");
}
