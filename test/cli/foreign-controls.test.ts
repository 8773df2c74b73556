/**
 * Issue 10, "in-band controls are bound to the config they were made for" (spec §9, §10): the
 * demo's control messages carry the fingerprint of config/default.json. Replayed with a config
 * whose symbols differ (the same symbols in reverse order: every index names another symbol),
 * every one of them is refused as FOREIGN_CONTROL — counted in the report — and none is
 * applied to the symbol that now has its index; the first engages the global kill switch, so
 * nothing trades after it. With the default config every control is applied as before.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobFingerprint, configBlob, loadConfig } from '../../src/config/index.ts';
import { decodeControl } from '../../src/itch/decode.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { decodeRecords, type EngineRecord } from '../../src/records/decode.ts';
import { Problem } from '../../src/records/layout.ts';
import { riskgateJson, ROOT } from './run-cli.ts';

const DEMO = join(ROOT, 'data/demo.itch.gz');
let dir: string;

/** The demo's control messages: fingerprint and the seq they precede. */
function demoControls(): { fingerprint: bigint; seq: number }[] {
  const out: { fingerprint: bigint; seq: number }[] = [];
  for (const c = new FrameCursor(gunzipSync(readFileSync(DEMO))); c.next(); ) {
    if (c.kind !== FrameKind.CONTROL) continue;
    const m = decodeControl(c.body());
    if (m) out.push({ fingerprint: m.fingerprint, seq: Number(m.effectiveSeq) });
  }
  return out;
}

function replay(config: string | null, name: string): { json: any; records: EngineRecord[] } {
  const out = join(dir, `${name}.bin`);
  const r = riskgateJson(['replay', DEMO, '--out', out, ...(config ? ['--config', config] : [])]);
  expect(r.status, r.stderr).toBe(0);
  return { json: r.json, records: decodeRecords(readFileSync(out)) };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-foreign-'));
});

describe('controls made for another config', () => {
  it('the demo was made for config/default.json: every control carries its fingerprint', () => {
    const fp = blobFingerprint(configBlob(loadConfig()));
    const controls = demoControls();
    expect(controls.length).toBeGreaterThan(100);
    expect(controls.every((c) => c.fingerprint === fp)).toBe(true);
  });

  it('replayed with the default config, every control is applied (none refused)', () => {
    const { json, records } = replay(null, 'default');
    expect(json.errors.map((e: any) => e.kind)).not.toContain('FOREIGN_CONTROL');
    expect(json.errors.map((e: any) => e.kind)).not.toContain('BAD_CONTROL');
    expect(records.filter((r) => r.kind === 'CONTROL').length).toBe(demoControls().length);
  });

  it('replayed with the symbols in another order, every file control is refused and none reaches another symbol', () => {
    const j = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
    j.symbols.reverse();
    const path = join(dir, 'reversed.json');
    writeFileSync(path, JSON.stringify(j));
    const { json, records } = replay(path, 'reversed');
    const controls = demoControls();

    // counted in the report: one FOREIGN_CONTROL per control message of the file
    const foreign = json.errors.find((e: any) => e.kind === 'FOREIGN_CONTROL');
    expect(foreign?.count).toBe(controls.length);
    expect(foreign.firstSeq).toBe(controls[0].seq);
    expect(foreign.message).toContain('made for another config');
    expect(json.errors.map((e: any) => e.kind)).not.toContain('BAD_CONTROL');

    // in the records: each is a PROBLEM naming the file's op and target, followed by the
    // global kill's CONTROL record; no other CONTROL record (nothing applied to any symbol)
    const problems = records.filter((r) => r.kind === 'PROBLEM' && r.code === Problem.FOREIGN_CONTROL);
    expect(problems.map((r) => r.seq)).toEqual(controls.map((c) => c.seq));
    const ctl = records.filter((r) => r.kind === 'CONTROL');
    expect(ctl.length).toBe(controls.length);
    for (const r of ctl) {
      expect(r.kind === 'CONTROL' && [r.op, r.target, r.value, r.symbol]).toEqual([ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 1n, 0xff]);
    }
    const ops = new Set(problems.map((r) => (r.kind === 'PROBLEM' ? r.op : -1)));
    expect(ops.has(ControlOp.SYMBOL_KILL) && ops.has(ControlOp.CREDIT_LIMIT)).toBe(true); // the file's own ops, not '~'

    // fail closed: no order is accepted after the first foreign control
    const first = controls[0].seq;
    const late = records.filter((r) => r.kind === 'DECISION' && r.seq >= first);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((r) => r.kind === 'DECISION' && !r.accepted && (r.reasons & 1) === 1)).toBe(true);
    expect(records.some((r) => r.kind === 'FILL' && r.seq >= first)).toBe(false);
  });
});
