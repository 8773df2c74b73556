/**
 * Unit tests of the ops building blocks, in-process: batch splitting at seqs, validation of
 * runtime changes, the control queue and audit log, the failover engine with injected
 * faults and hangs, and the origin / host policy.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig, type Config } from '../../src/config/index.ts';
import { AuditWriter, readAuditRun } from '../../src/control/audit.ts';
import { offsetBeforeSeq, splitBatch } from '../../src/control/frames.ts';
import { ChangeError, RiskState } from '../../src/control/limits.ts';
import { ControlQueue } from '../../src/control/queue.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import type { Engine } from '../../src/engine/types.ts';
import { FailoverEngine } from '../../src/failover/engine.ts';
import { EngineFault } from '../../src/failover/fault.ts';
import { FaultInjectingEngine, parseInjection } from '../../src/failover/inject.ts';
import { frames, itch } from '../../src/itch/encode.ts';
import { countSeqFrames, splitFrames } from '../../src/itch/framing.ts';
import { CONTROL_TYPE, ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { OriginPolicy, TokenAuth } from '../../src/server/auth.ts';
import type { Batch } from '../../src/source/file.ts';
import { sessionBuffer } from './helpers/session.ts';

let config: Config;
let blob: Buffer;
let session: Buffer;

/** Splits a BinaryFILE stream (end marker dropped) into batches of n frames. */
function batches(data: Buffer, n: number): Batch[] {
  const out: Batch[] = [];
  let offset = 0;
  let seq = 1;
  for (const f of splitFrames(data, n)) {
    const m = countSeqFrames(f);
    out.push({ frames: f, firstSeq: seq, offset, messages: m, final: false });
    seq += m;
    offset += f.length;
  }
  return out;
}

function runAll(engine: Engine, bs: Batch[]): Buffer {
  return Buffer.concat(bs.map((b) => engine.process(b.frames, b.final)));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(() => {
  config = loadConfig();
  blob = configBlob(config);
  session = sessionBuffer({ messages: 20_000, seed: 7 });
});

describe('frames: seqs and splits', () => {
  it('splits a batch exactly before a seq, control frames for that seq going with it', () => {
    const msgs = [itch.systemEvent({ locate: 0, ts: 1 }, 'O'), itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 2, 1, 0n), itch.systemEvent({ locate: 0, ts: 2 }, 'Q'), itch.raw('~', 25), itch.systemEvent({ locate: 0, ts: 3 }, 'M')];
    const f = frames(msgs);
    expect(countSeqFrames(f)).toBe(4); // the 25-byte '~' is BAD_LENGTH and takes a seq
    expect(offsetBeforeSeq(f, 1, 2)).toBe(14); // after S#1, before the control for seq 2
    const parts = splitBatch({ frames: f, firstSeq: 1, offset: 0, messages: 4, final: true }, [2, 4]);
    expect(parts.map((p) => [p.firstSeq, p.messages, p.final])).toEqual([[1, 1, false], [2, 2, false], [4, 1, true]]);
    expect(Buffer.concat(parts.map((p) => p.frames)).equals(f)).toBe(true);
    expect(parts[1].frames[2]).toBe(CONTROL_TYPE);
  });

  it('results do not depend on where batches are split (the engine agrees)', () => {
    const whole = runAll(new RustEngine(blob), batches(session, 4096));
    const split = batches(session, 4096).flatMap((b) => splitBatch(b, [b.firstSeq + 1, b.firstSeq + 777, b.firstSeq + 3000]));
    expect(sha(runAll(new RustEngine(blob), split))).toBe(sha(whole));
  });
});

describe('runtime changes are validated before anything changes', () => {
  const bad: [string, object, RegExp][] = [
    ['negative limit', { kind: 'limit', symbol: 'AAPL', limit: 'maxQty', value: -1 }, /negative/],
    ['negative money', { kind: 'limit', symbol: 'AAPL', limit: 'maxNotional', value: '-5.00' }, /negative/],
    ['u32 overflow', { kind: 'limit', symbol: 'AAPL', limit: 'maxQty', value: 2 ** 32 }, /overflows/],
    ['i31 overflow', { kind: 'limit', symbol: 'AAPL', limit: 'positionLimit', value: 2 ** 31 }, /overflows/],
    ['u64 overflow', { kind: 'limit', account: 'ALPHA', limit: 'creditLimit', value: '1844674407370956.1616' }, /overflows/],
    ['too many decimals', { kind: 'limit', symbol: 'AAPL', limit: 'maxNotional', value: '1.00001' }, /4 decimal/],
    ['collar overflow', { kind: 'limit', symbol: 'AAPL', limit: 'collarBps', value: 65536 }, /overflows/],
    ['unknown symbol', { kind: 'limit', symbol: 'GOOG', limit: 'maxQty', value: 5 }, /unknown symbol/],
    ['unknown account', { kind: 'limit', account: 'ZULU', limit: 'creditLimit', value: '5' }, /unknown account/],
    ['wrong type', { kind: 'limit', symbol: 'AAPL', limit: 'maxQty', value: true }, /whole number/],
    ['fraction', { kind: 'limit', symbol: 'AAPL', limit: 'maxQty', value: 1.5 }, /whole number/],
    ['float dollars', { kind: 'limit', symbol: 'AAPL', limit: 'maxNotional', value: 0.1 }, /decimal string/],
    ['unknown limit', { kind: 'limit', symbol: 'AAPL', limit: 'maxFoo', value: 5 }, /unknown limit/],
    ['account limit on a symbol', { kind: 'limit', symbol: 'AAPL', limit: 'creditLimit', value: '5' }, /per-account/],
    ['kill not boolean', { kind: 'kill', on: 'yes' }, /true or false/],
    ['symbol of wrong type', { kind: 'kill', symbol: { x: 1 }, on: true }, /symbol must be/],
  ];
  for (const [name, req, why] of bad) {
    it(`refuses: ${name}`, () => {
      const st = new RiskState(config);
      const before = JSON.stringify(st.toJson());
      expect(() => st.resolve(req as never)).toThrow(ChangeError);
      expect(() => st.resolve(req as never)).toThrow(why);
      expect(JSON.stringify(st.toJson())).toBe(before);
    });
  }

  it('accepts the extremes of every range and converts dollars exactly', () => {
    const st = new RiskState(config);
    expect(st.resolve({ kind: 'limit', symbol: 'aapl', limit: 'maxQty', value: 4294967295 }).value).toBe(4294967295n);
    expect(st.resolve({ kind: 'limit', symbol: 'AAPL', limit: 'positionLimit', value: '2147483647' }).value).toBe(2147483647n);
    expect(st.resolve({ kind: 'limit', account: 1001, limit: 'creditLimit', value: '1844674407370955.1615' }).value).toBe((1n << 64n) - 1n);
    expect(st.resolve({ kind: 'limit', symbol: 'MSFT', limit: 'maxNotional', value: '1234.5678' }).value).toBe(12345678n);
    expect(st.resolve({ kind: 'kill', on: true })).toMatchObject({ op: 1, target: 0xffff, value: 1n });
    expect(st.resolve({ kind: 'kill', symbol: 'TSLA', on: false })).toMatchObject({ op: 2, target: 4, value: 0n });
  });
});

describe('control queue and audit log', () => {
  it('puts queued changes in front of the next batch with S = its first seq, audits them, confirms them from the records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-ops-'));
    const path = join(dir, 'audit.jsonl');
    const audit = new AuditWriter(path);
    const st = new RiskState(config);
    const q = new ControlQueue({ state: st, run: 'r1', audit });
    audit.write({ type: 'start', run: 'r1', wallTime: 'x', file: 'f', backend: 'rust', configSha256: 'c' });
    const engine = new RustEngine(blob);
    const bs = batches(session, 1000);
    const out: Buffer[] = [];
    let a: Promise<unknown> | undefined;
    let b: Promise<unknown> | undefined;
    for (const [i, batch] of bs.entries()) {
      if (i === 5) a = q.submit({ kind: 'limit', symbol: 'AAPL', limit: 'maxQty', value: 100 }, { who: 'alice', via: 'test' }).applied;
      if (i === 9) b = q.submit({ kind: 'kill', symbol: 'MSFT', on: true }, { who: 'bob', via: 'test' }).applied;
      const ctl = q.take(batch.firstSeq);
      const r = engine.process(ctl ? Buffer.concat([ctl, batch.frames]) : batch.frames, batch.final);
      q.confirm(r);
      out.push(r);
    }
    q.close();
    audit.write({ type: 'end', run: 'r1', wallTime: 'y', messages: 0, controls: 2, recordsSha256: sha(Buffer.concat(out)), status: 'ok' });
    audit.close();
    const ea = (await a) as { seq: number; old: string; new: string };
    const eb = (await b) as { seq: number };
    expect(ea).toMatchObject({ seq: bs[5].firstSeq, old: '2000', new: '100' });
    expect(eb.seq).toBe(bs[9].firstSeq);
    expect(st.symbols[0].maxQty).toBe(100n);
    expect(st.symbols[1].kill).toBe(true);
    expect(engine.stats().controls).toBe(2);

    // The audit log replays the run exactly, with other batch boundaries.
    const run = readAuditRun(path);
    expect(run.controls.map((c) => [c.what, c.seq, c.who])).toEqual([['MAX_QTY', bs[5].firstSeq, 'alice'], ['SYMBOL_KILL', bs[9].firstSeq, 'bob']]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(4);
    const q2 = new ControlQueue({ state: new RiskState(config), run: 'r2' });
    q2.schedule(run);
    const e2 = new RustEngine(blob);
    const out2: Buffer[] = [];
    for (const batch of batches(session, 4096).flatMap((x) => splitBatch(x, q2.scheduledSeqs()))) {
      const ctl = q2.take(batch.firstSeq);
      out2.push(e2.process(ctl ? Buffer.concat([ctl, batch.frames]) : batch.frames, batch.final));
    }
    expect(q2.unapplied).toBe(0);
    expect(sha(Buffer.concat(out2))).toBe(run.end!.recordsSha256);
  });

  it('refuses submissions after the run has ended', () => {
    const q = new ControlQueue({ state: new RiskState(config), run: 'r' });
    q.close('over');
    expect(() => q.submit({ kind: 'kill', on: true }, { who: 'x', via: 'test' })).toThrow(/over/);
  });
});

describe('failover engine', () => {
  let plain: Buffer;
  beforeAll(() => {
    plain = runAll(new RustEngine(blob), batches(session, 4096));
  });

  for (const kind of ['fault', 'hang'] as const) {
    it(`${kind} in the middle of a batch: same records, primary before the seq, standby from it`, () => {
      const at = 4096 + 1500; // inside the second batch
      const events: unknown[] = [];
      // Generous watchdog: a loaded CI machine must not turn a slow batch into a spurious hang.
      const primary = new FaultInjectingEngine(new RustEngine(blob), { kind, who: 'primary', seq: at }, 250);
      const fo = new FailoverEngine(primary, new RustEngine(blob), { hangTimeoutMs: 250, onFailover: (e) => events.push(e) });
      const bySource = { primary: 0, standby: 0 };
      const out: Buffer[] = [];
      for (const b of batches(session, 4096)) {
        out.push(fo.process(b.frames, b.final));
        for (const s of fo.lastSources) bySource[s.role] += s.records;
      }
      const all = Buffer.concat(out);
      expect(all.equals(plain)).toBe(true);
      let before = 0;
      for (let off = 0; off < plain.length; off += 32) if (plain.readUIntLE(off + 4, 6) < at) before++;
      expect(bySource).toEqual({ primary: before, standby: plain.length / 32 - before });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind, seq: at });
      expect(fo.activeRole).toBe('standby');
      if (kind === 'hang') expect((events[0] as { outageNs: number }).outageNs).toBeGreaterThanOrEqual(250e6);
    });
  }

  it('a plain exception switches at the start of the batch; a slow call past the watchdog counts as a hang', () => {
    let calls = 0;
    const inner = new RustEngine(blob);
    const flaky: Engine = {
      backend: 'fpga',
      process: (f, e) => {
        if (++calls === 3) throw new Error('driver: DMA timeout');
        return inner.process(f, e);
      },
      stats: () => inner.stats(),
      reset: () => inner.reset(),
      close: () => {},
    };
    const fo = new FailoverEngine(flaky, new RustEngine(blob), { hangTimeoutMs: 1000 });
    const bs = batches(session, 4096);
    expect(Buffer.concat(bs.map((b) => fo.process(b.frames, b.final))).equals(plain)).toBe(true);
    expect(fo.events[0]).toMatchObject({ kind: 'fault', seq: bs[2].firstSeq, from: 'fpga', to: 'rust' });

    const slowInner = new RustEngine(blob);
    let n = 0;
    const slow: Engine = {
      backend: 'fpga',
      process: (f, e) => {
        if (++n === 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
        return slowInner.process(f, e);
      },
      stats: () => slowInner.stats(),
      reset: () => {},
      close: () => {},
    };
    const fo2 = new FailoverEngine(slow, new RustEngine(blob), { hangTimeoutMs: 200 });
    expect(Buffer.concat(bs.map((b) => fo2.process(b.frames, b.final))).equals(plain)).toBe(true);
    expect(fo2.events[0]).toMatchObject({ kind: 'hang', seq: bs[1].firstSeq });
  });

  it('losing both engines, or the primary without a standby, stops trading (FAIL_CLOSED)', () => {
    const bs = batches(session, 4096);
    const solo = new FailoverEngine(new FaultInjectingEngine(new RustEngine(blob), { kind: 'fault', who: 'primary', seq: 5000 }), undefined);
    expect(() => bs.forEach((b) => solo.process(b.frames))).toThrow(/no standby/);
    const both = new FailoverEngine(
      new FaultInjectingEngine(new RustEngine(blob), { kind: 'fault', who: 'primary', seq: 5000 }),
      new FaultInjectingEngine(new RustEngine(blob), { kind: 'fault', who: 'standby', seq: 9000 }),
    );
    expect(() => bs.forEach((b) => both.process(b.frames))).toThrow(expect.objectContaining({ code: 'FAIL_CLOSED' }));
  });

  it('a shadow divergence is reported (the control plane then engages the kill switch)', () => {
    const inner = new RustEngine(blob);
    let k = 0;
    const corrupt: Engine = {
      backend: 'fpga',
      process: (f, e) => {
        const r = Buffer.from(inner.process(f, e));
        if (++k === 2 && r.length > 40) r[40] ^= 1;
        return r;
      },
      stats: () => inner.stats(),
      reset: () => {},
      close: () => {},
    };
    const seen: number[] = [];
    const fo = new FailoverEngine(corrupt, new RustEngine(blob), { onDivergence: (s) => seen.push(s) });
    for (const b of batches(session, 4096)) fo.process(b.frames, b.final);
    expect(fo.divergences).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('parses injection specs', () => {
    expect(parseInjection('fault', 'fpga@5000')).toEqual({ kind: 'fault', who: 'fpga', seq: 5000 });
    expect(() => parseInjection('hang', 'fpga')).toThrow(/backend>@<seq/);
    expect(() => parseInjection('hang', 'fpga@0')).toThrow();
    expect(new EngineFault('x', { kind: 'hang' }).kind).toBe('hang');
  });
});

describe('origin, host and token policy', () => {
  it('accepts its own origin only, and loopback Host names only while bound to loopback', () => {
    const p = new OriginPolicy('127.0.0.1');
    p.port = 8787;
    expect(p.originRefusal(undefined, undefined)).toBeNull();
    expect(p.originRefusal('http://127.0.0.1:8787', 'same-origin')).toBeNull();
    expect(p.originRefusal('http://localhost:8787', undefined)).toBeNull();
    expect(p.originRefusal('http://127.0.0.1:9999', undefined)).toMatch(/foreign/);
    expect(p.originRefusal('http://evil.example:8787', undefined)).toMatch(/foreign/);
    expect(p.originRefusal('null', undefined)).toMatch(/foreign/);
    expect(p.originRefusal(undefined, 'cross-site')).toMatch(/cross-site/);
    expect(p.hostOk('127.0.0.1:8787')).toBe(true);
    expect(p.hostOk('localhost:8787')).toBe(true);
    expect(p.hostOk('[::1]:8787')).toBe(true);
    expect(p.hostOk('attacker.example:8787')).toBe(false);
    expect(p.hostOk(undefined)).toBe(false);
  });

  it('checks bearer tokens', () => {
    const t = new TokenAuth('abcdefghijklmnopqrstuvwxyz');
    expect(t.check(undefined)).toBe('missing');
    expect(t.check('Basic abc')).toBe('missing');
    expect(t.check('Bearer nope')).toBe('wrong');
    expect(t.check('Bearer abcdefghijklmnopqrstuvwxyz')).toBe('ok');
  });
});
