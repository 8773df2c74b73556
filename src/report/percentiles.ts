/** Nearest-rank percentiles of a sample (sorted copy; the input is left alone). */
export function percentiles(values: readonly number[], ps: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (values.length === 0) {
    for (const p of ps) out[`p${p}`] = 0;
    return out;
  }
  const s = Float64Array.from(values).sort();
  for (const p of ps) {
    const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
    out[`p${p}`] = s[rank];
  }
  out.max = s[s.length - 1];
  out.min = s[0];
  return out;
}
