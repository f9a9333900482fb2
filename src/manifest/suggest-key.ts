/** The largest edit distance still taken for a typo. */
const MAX_DISTANCE = 2;

/**
 * The known key an unknown one most likely meant (`tabel` → `table`), or undefined when none is
 * within two edits. Case is ignored; an adjacent swap counts as one edit (Damerau, optimal string
 * alignment). Ties go to the earlier known key.
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const input = unknown.toLowerCase();
  let best: string | undefined;
  let bestDistance = MAX_DISTANCE + 1;
  for (const candidate of known) {
    const distance = editDistance(input, candidate.toLowerCase(), bestDistance);
    // A 1- or 2-letter key is within two edits of anything short: only take a real resemblance.
    if (distance < bestDistance && distance < Math.max(input.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance, giving up (returning `limit`) once it cannot be below it. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (previous2[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= limit) return limit;
    previous2 = previous;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit, limit);
}
