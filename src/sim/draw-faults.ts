import { keyedRandom } from "./seeded-random.js";

/**
 * The fault shares' draws for one request, always all taken, in this order, so each knob replays
 * alone. New draws go at the end: a seed replays the same outcomes for the older knobs.
 */
export interface Draws {
  rate429: number;
  rate5xx: number;
  status5xx: number;
  htmlBody: number;
  dropBefore: number;
  dropAfter: number;
  aborted: number;
  status5xxAfter: number;
  statusAfter: number;
  htmlAfter: number;
  resetAfter: number;
  hangBefore: number;
  hangAfter: number;
  unknownState: number;
  reverseAborted: number;
}

/** The draws of the `count`-th request with this key (see `SimEngine`). */
export function drawFaults(seed: number, key: string, count: number): Draws {
  const random = keyedRandom(seed, key, count);
  return {
    rate429: random(),
    rate5xx: random(),
    status5xx: random(),
    htmlBody: random(),
    dropBefore: random(),
    dropAfter: random(),
    aborted: random(),
    status5xxAfter: random(),
    statusAfter: random(),
    htmlAfter: random(),
    resetAfter: random(),
    hangBefore: random(),
    hangAfter: random(),
    unknownState: random(),
    reverseAborted: random(),
  };
}

/** 502, 503 or 504, as a gateway answers, from a draw. */
export function gatewayStatus(draw: number): number {
  return draw < 1 / 3 ? 502 : draw < 2 / 3 ? 503 : 504;
}

/** 500, 502, 503 or 504 from a draw: a server error, or a gateway that lost the answer. */
export function serverErrorStatus(draw: number): number {
  return draw < 0.25 ? 500 : draw < 0.5 ? 502 : draw < 0.75 ? 503 : 504;
}
