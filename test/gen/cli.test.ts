/** `riskgate gen`: argument parsing, clear usage errors, the file it writes and its summary. */
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { genCommand, parseCount } from '../../src/commands/gen.ts';
import { RiskgateError } from '../../src/errors.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-gen-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runGen(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await genCommand(args), out };
  } finally {
    spy.mockRestore();
  }
}

async function usageMessage(args: string[]): Promise<string> {
  try {
    await runGen(args);
  } catch (e) {
    expect(e).toBeInstanceOf(RiskgateError);
    expect((e as RiskgateError).code).toBe('USAGE');
    expect((e as RiskgateError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error(`expected a usage error for ${args.join(' ')}`);
}

describe('riskgate gen', () => {
  it('parses counts with _ separators and k / M suffixes', () => {
    expect(parseCount('messages', '200k', 0)).toBe(200_000);
    expect(parseCount('messages', '5M', 0)).toBe(5_000_000);
    expect(parseCount('messages', '1_000_000', 0)).toBe(1_000_000);
    expect(parseCount('seed', undefined, 1)).toBe(1);
    expect(() => parseCount('seed', '-3', 1)).toThrow(/--seed must be a non-negative integer/);
    expect(() => parseCount('messages', '1.5M', 1)).toThrow(/--messages/);
  });

  it('writes the session and prints a short summary', async () => {
    const out = join(dir, 's.itch.gz');
    const { code, out: text } = await runGen(['--seed', '4', '--symbols', '3', '--messages', '20k', '--controls', '--out', out]);
    expect(code).toBe(0);
    expect(text).toMatch(/messages\s+20,000 \(\+\d+ control messages\), seed 4/);
    expect(text).toMatch(/sha256\s+[0-9a-f]{64}/);
    expect(text).toMatch(/msg\/s/);
    const want = generateSessionBuffer({ seed: 4, symbols: 3, messages: 20_000, controlMessages: true });
    expect(gunzipSync(readFileSync(out)).equals(want)).toBe(true);
  });

  it('--json prints the summary object', async () => {
    const out = join(dir, 'j.itch');
    const { out: text } = await runGen(['--messages', '5000', '--symbols', '2', '--out', out, '--json']);
    const s = JSON.parse(text);
    expect(s.messages).toBe(5000);
    expect(s.controls).toBe(0);
    expect(s.symbols.map((x: { name: string }) => x.name).slice(0, 2)).toEqual(['AAPL', 'MSFT']);
  });

  it('refuses bad arguments with clear messages (exit code 2)', async () => {
    expect(await usageMessage([])).toMatch(/--out is required/);
    expect(await usageMessage(['--out', join(dir, 'x.itch'), '--messages', 'lots'])).toMatch(/--messages must be a non-negative integer/);
    expect(await usageMessage(['--out', join(dir, 'x.itch'), '--messages', '10'])).toMatch(/messages must be an integer ≥ \d+ for 8 symbols/);
    expect(await usageMessage(['--out', join(dir, 'x.itch'), '--symbols', '0'])).toMatch(/--symbols must be between 1 and/);
    expect(await usageMessage(['--out', join(dir, 'no', 'such', 'dir', 'x.itch'), '--messages', '1000'])).toMatch(/cannot write .*directory does not exist/);
    expect(await usageMessage(['--out', join(dir, 'x.itch'), 'extra'])).toMatch(/unexpected argument "extra"/);
    // nothing half-written is left behind
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(existsSync(join(dir, 'x.itch'))).toBe(false);
  });

  it('--help prints the usage', async () => {
    const { code, out } = await runGen(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/usage: riskgate gen --out/);
  });
});
