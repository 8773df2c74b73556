/**
 * Hot standby through the CLI, with the Verilated FPGA as primary (and a Rust test double as
 * primary, for speed) and the Rust core as standby, with an injected fault or hang: a fault or a hang in the middle of a batch at a chosen seq gives
 * exactly the records of the same replay without one; records before the seq come from the
 * primary and from it on from the standby (`riskgate_records_total`), and
 * `riskgate_failovers_total` is 1. Losing both engines stops the run (FAIL_CLOSED, exit 7).
 * The watchdog does not count time the engine spent waiting for a CPU, so on a loaded machine
 * the Verilated model's slow batches are not taken for hangs (src/failover/progress-clock.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { authGet, parseMetrics, replayJson, riskgate, serve } from './helpers/cli.ts';
import { writeSession } from './helpers/session.ts';

let dir: string;
let session: string;
let plain: { recordsSha256: string; records: Buffer };
const BATCH = 4096;
const AT = 2 * BATCH + 1234; // inside the third batch

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-fo-'));
  session = writeSession(join(dir, 'session.itch'), { messages: 30_000, seed: 3 });
  const out = join(dir, 'plain.bin');
  const r = replayJson([session, '--out', out]);
  expect(r.status).toBe(0);
  plain = { recordsSha256: r.json.recordsSha256, records: readFileSync(out) };
});

function recordsBefore(seq: number): number {
  let n = 0;
  for (let off = 0; off < plain.records.length; off += 32) if (plain.records.readUIntLE(off + 4, 6) < seq) n++;
  return n;
}

describe('failover to the standby at a message boundary', () => {
  // The real Verilated FPGA as primary, and the Rust test double as primary.
  for (const [primary, kind] of [['fpga', 'fault'], ['fpga', 'hang'], ['rust', 'fault'], ['rust', 'hang']] as const) {
    it(`${primary} primary: an injected ${kind} at seq ${AT} (mid-batch) changes no record`, async () => {
      // The injected hang blocks for the watchdog time, so its outage is at least that. A fault
      // must not wait for the watchdog at all: its outage (wall time of the engines' work on a
      // batch, seconds on a starved machine for the Verilated model) stays below a watchdog far
      // longer than that work.
      const watchdogMs = kind === 'hang' ? 500 : 20_000;
      const s = await serve([session, '--backend', primary, '--standby', 'rust', `--inject-${kind}`, `${primary}@${AT}`, '--hang-timeout-ms', String(watchdogMs),
        '--batch', String(BATCH), '--serve', '--port', '0', '--hold', '--json']);
      try {
        const report = await s.report; // printed when the run is over; --hold keeps the server up
        expect(report.recordsSha256).toBe(plain.recordsSha256);
        expect(report.failover).toMatchObject({ primary, standby: 'rust', active: 'standby', divergences: 0 });
        expect(report.failover.events).toHaveLength(1);
        const ev = report.failover.events[0];
        expect(ev).toMatchObject({ kind, seq: AT, from: primary, to: 'rust' });
        if (kind === 'hang') expect(ev.outageNs).toBeGreaterThanOrEqual(watchdogMs * 1e6);
        else expect(ev.outageNs).toBeLessThan(watchdogMs * 1e6);

        const m = parseMetrics(await (await authGet(`${s.url}/metrics`)).text());
        const before = recordsBefore(AT);
        expect(before).toBeGreaterThan(0);
        expect(m.get(`riskgate_records_total{source="${primary}",role="primary"}`)).toBe(before);
        expect(m.get('riskgate_records_total{source="rust",role="standby"}')).toBe(plain.records.length / 32 - before);
        expect(m.get('riskgate_failovers_total')).toBe(1);
        expect(m.get('riskgate_failover_outage_ns')).toBe(ev.outageNs);

        // The switch is logged with its seq and time.
        const log = s.stderr().split('\n').filter((l) => l.includes('"event":"failover"')).map((l) => JSON.parse(l));
        expect(log).toEqual([expect.objectContaining({ level: 40, kind, seq: AT, wallTime: ev.wallTime })]);
        s.child.kill('SIGINT');
        expect((await s.exited).status).toBe(0);
      } finally {
        s.child.kill('SIGKILL');
      }
    });
  }

  it('losing the primary without a standby, or both engines, stops trading (exit 7, FAIL_CLOSED)', () => {
    const solo = riskgate(['replay', session, '--inject-fault', `rust@${AT}`, '--json']);
    expect(solo.status).toBe(7);
    expect(solo.stdout).toBe('');
    expect(solo.stderr).toMatch(/FAIL_CLOSED: primary engine rust failed at seq 9426 .* no standby/);
    const both = riskgate(['replay', session, '--standby', 'rust', '--inject-fault', `primary@${AT}`, '--inject-hang', 'standby@20000', '--hang-timeout-ms', '300', '--json']);
    expect(both.status).toBe(7);
    expect(both.stderr).toMatch(/"event":"failover"/);
    expect(both.stderr).toMatch(/FAIL_CLOSED: the standby engine failed at seq 20000 after the primary was lost/);
  });
});
