/**
 * "Did you mean …?": Damerau–Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and transpositions of two adjacent characters each cost 1) and
 * the nearest names of a list, for config keys and ITCH symbols.
 */

/** Optimal-string-alignment distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // three rows: i-2, i-1, i
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/**
 * The names of `candidates` nearest to `name`, best first: a case-insensitive match first
 * (`clipqty` → `clipQty`), then by edit distance, ties by name. Only names within `maxDistance`
 * (default: a third of the longer name, at least 2) are returned; at most `limit`.
 */
export function nearestNames(name: string, candidates: Iterable<string>, opts: { limit?: number; maxDistance?: number } = {}): string[] {
  const limit = opts.limit ?? 3;
  const lower = name.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c) || c === name) continue;
    seen.add(c);
    const max = opts.maxDistance ?? Math.max(2, Math.floor(Math.max(name.length, c.length) / 3));
    // a difference of case only ranks before any real edit
    const d = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (d <= max) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.c);
}

/** ` (did you mean "X"?)`, ` (did you mean "X" or "Y"?)`, or '' when nothing is near. */
export function didYouMean(name: string, candidates: Iterable<string>, limit = 1): string {
  const near = nearestNames(name, candidates, { limit });
  if (near.length === 0) return '';
  const q = near.map((s) => JSON.stringify(s));
  return ` (did you mean ${q.length === 1 ? q[0] : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`}?)`;
}
