/**
 * Order flow through the command line on the hardware (spec §18.7): a merged stream of
 * `gen --client-orders` replays with `--backend shadow` (the Verilated card and the Rust core
 * compared on every batch) to the Rust replay's digest, and with the card as primary and the
 * Rust core as hot standby, an injected fault at the position of a client order in the middle
 * of a batch fails over without losing or changing an answer: the same record digest, the
 * order's ORDER record included, one failover at that seq, no divergence.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { ORDER_FRAME, RecordHeader as H, RecordKind, RECORD_SIZE } from '../../src/contract.ts';
import { OrderFlowGenerator } from '../../src/gen/orders.ts';
import { FrameCursor, FrameKind } from '../../src/itch/framing.ts';
import { replayJson } from '../ops/helpers/cli.ts';
import { requireHw, requireRust } from './util.ts';

const BATCH = 4096;
let file: string;
let plain: { sha: string; records: Buffer };

describe('order flow through the CLI on the hardware', () => {
  requireHw();
  requireRust();

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-hw-oe-'));
    const g = new OrderFlowGenerator({ seed: 3, symbols: 8, messages: 20_000, clientOrders: 2_000, config: loadConfig(), controlMessages: true });
    const parts: Buffer[] = [];
    for (let c = g.nextChunk(); c; c = g.nextChunk()) parts.push(c);
    file = join(dir, 'merged.itch');
    writeFileSync(file, Buffer.concat(parts));
    const out = join(dir, 'rust.bin');
    const r = replayJson([file, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    plain = { sha: r.json.recordsSha256, records: readFileSync(out) };
  });

  it('--backend shadow: the card and the core agree on every batch, same digest as the Rust replay', () => {
    const r = replayJson([file, '--backend', 'shadow', '--batch', String(BATCH)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.recordsSha256).toBe(plain.sha);
  }, 300_000);

  it('fpga primary, rust standby: a fault at a client order mid-batch loses no order answer', () => {
    // the position of the first client order inside the third batch
    let at = 0;
    for (const c = new FrameCursor(readFileSync(file)); c.next(); ) {
      if (c.kind === FrameKind.CONTROL && c.type === ORDER_FRAME.typeByte && c.seq > 2 * BATCH + 500) {
        at = c.seq;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    let answersAt = 0;
    for (let off = 0; off < plain.records.length; off += RECORD_SIZE) {
      if (plain.records[off + H.kind] === RecordKind.ORDER && plain.records.readUIntLE(off + H.seq, 6) === at) answersAt++;
    }
    expect(answersAt).toBeGreaterThan(0);
    // a watchdog far above the Verilated model's batch time: only the injected fault fails over
    const r = replayJson([file, '--backend', 'fpga', '--standby', 'rust', '--inject-fault', `fpga@${at}`, '--hang-timeout-ms', '600000', '--batch', String(BATCH)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.recordsSha256).toBe(plain.sha);
    expect(r.json.failover).toMatchObject({ primary: 'fpga', standby: 'rust', active: 'standby', divergences: 0 });
    expect(r.json.failover.events).toHaveLength(1);
    expect(r.json.failover.events[0]).toMatchObject({ kind: 'fault', seq: at, from: 'fpga', to: 'rust' });
  }, 300_000);
});
