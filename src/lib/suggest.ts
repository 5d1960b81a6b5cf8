/** Levenshtein distance, for "did you mean" hints on mistyped commands and flags. */
export function distance(a: string, b: string): number {
  const prev = Array.from({length: b.length + 1}, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidates to `input` (within a third of its length, at least 2 edits), best first. */
export function closest(input: string, candidates: string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(input.length / 3));
  return candidates
    .map((c) => ({c, d: Math.min(distance(input, c), c.startsWith(input) && input.length >= 3 ? 1 : Infinity)}))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
