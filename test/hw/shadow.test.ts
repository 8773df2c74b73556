/**
 * `--backend shadow` runs the Rust core and the Verilog model side by side and stops
 * trading at the first divergence, naming the seq, both records and the input message;
 * `--backend fpga` gives the Rust digest; `hwreport --json` has the documented keys.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, parseConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { ShadowEngine, symbolNamesOfBlob } from '../../src/engine/shadow.ts';
import { RiskgateError } from '../../src/errors.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { splitFrames } from '../../src/itch/framing.ts';
import { riskgate, riskgateJson, ROOT } from '../cli/run-cli.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEMO = join(ROOT, 'data/demo.itch.gz');

describe('shadow mode', () => {
  it('fails closed at the first divergence with seq, both records decoded and the input message', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'config/default.json'), 'utf8'));
    const a = parseConfig(json);
    json.symbols[0].maxQty = 1; // the second engine rejects what the first accepts
    const b = parseConfig(json);
    const shadow = new ShadowEngine(new RustEngine(configBlob(a)), new RustEngine(configBlob(b)), symbolNamesOfBlob(configBlob(a)));
    const session = generateSessionBuffer({ seed: 3, symbols: 8, messages: 50_000, controlMessages: true });
    let err: RiskgateError | undefined;
    let processed = 0;
    try {
      for (const batch of splitFrames(session, 4096)) {
        shadow.process(batch, false);
        processed++;
      }
    } catch (e) {
      err = e as RiskgateError;
    }
    expect(err).toBeInstanceOf(RiskgateError);
    expect(err!.code).toBe('FAIL_CLOSED');
    expect(err!.exitCode).toBe(7);
    expect(err!.message).toMatch(/engines diverged at seq \d+/);
    expect(err!.message).toMatch(/rust  : \d+ +\d+ DECISION AAPL .* REJECTED MARKET_CLOSED\|NO_REF\n/);
    expect(err!.message).toMatch(/rust  : \d+ +\d+ DECISION AAPL .* REJECTED MARKET_CLOSED\|MAX_QTY\|NO_REF\n/);
    expect(err!.message).toMatch(/MAX_QTY/);
    expect(err!.message).toMatch(/input : type [A-Z], \d+ bytes: [0-9a-f ]+/);
    expect(processed).toBeLessThan(13);
    // Trading stays stopped.
    expect(() => shadow.process(Buffer.alloc(0), true)).toThrow(/stopped trading earlier/);
  });

  it('replay --backend shadow and --backend fpga give the Rust record digest on the bundled session', () => {
    const rust = riskgateJson(['replay', DEMO]).json;
    const shadow = riskgateJson(['replay', DEMO, '--backend', 'shadow']).json;
    const fpga = riskgateJson(['replay', DEMO, '--backend', 'fpga']).json;
    expect(shadow.recordsSha256).toBe(rust.recordsSha256);
    expect(fpga.recordsSha256).toBe(rust.recordsSha256);
    expect(shadow.hardware.cycles.p99).toBeGreaterThan(0);
    expect(shadow.hardware.cyclesPerMessage).toBeGreaterThan(0);
    expect(rust.hardware).toBeUndefined();
  });

  it('riskgate hwreport --json reports cycles, cycles per message, messages and decisions', () => {
    const { status, json } = riskgateJson(['hwreport', DEMO]);
    expect(status).toBe(0);
    for (const k of ['p50', 'p99', 'max']) expect(json.cycles[k]).toBeGreaterThan(0);
    expect(json.cyclesPerMessage).toBeLessThanOrEqual(6);
    expect(json.cycles.p99).toBeLessThanOrEqual(20);
    expect(json.treadyLowShare).toBeLessThanOrEqual(0.01);
    expect(json.messages).toBe(200_000);
    expect(json.decisions).toBeGreaterThan(1000);
    const text = riskgate(['hwreport', DEMO]);
    expect(text.stdout).toMatch(/tick-to-trade/);
  });

  it('an unknown backend is a usage error', () => {
    expect(riskgate(['replay', DEMO, '--backend', 'gpu']).status).toBe(2);
  });
});
