/**
 * A replay report without what changes from run to run (timings), for comparing a run against
 * a golden captured from another code path (test/fixtures/replay-golden/).
 */
import { basename } from 'node:path';

/**
 * The --json report minus wall/engine times, the latency section and the clearing's seconds,
 * with file names for paths. (Latency is per engine call, and where calls are cut follows the
 * reader's chunks — 4 MiB reads of a plain file, 2 MiB gunzip slots — which the records never
 * depend on: spec §2.)
 */
export function stableReport(report: any): any {
  const r = structuredClone(report);
  r.file = basename(r.file);
  delete r.throughput;
  delete r.latency;
  if (r.clearing) delete r.clearing.seconds;
  if (r.symbols?.chosenBy) r.symbols.chosenBy = r.symbols.chosenBy.replace(/\S*\//g, '');
  return r;
}

/** The text report minus its throughput and latency lines and the input's directory. */
export function stableText(text: string, file: string): string {
  return text
    .split('\n')
    .filter((l) => !/^(throughput|latency) /.test(l) && !/^ +per message \(batch time/.test(l))
    .join('\n')
    .replaceAll(file, basename(file));
}
