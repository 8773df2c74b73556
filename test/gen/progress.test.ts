/**
 * `gen` shows its progress in messages on a terminal: the generators report the messages
 * written after every chunk, up to the whole session, and the bar prints them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSession } from '../../src/gen/index.ts';
import { generateDay } from '../../src/gen/day/index.ts';
import { progressBar } from '../../src/progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-gen-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function increasingTo(seen: number[], total: number): void {
  expect(seen.length).toBeGreaterThan(1);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  expect(seen[seen.length - 1]).toBe(total);
}

describe('gen progress', () => {
  it('the default generator reports messages written after each chunk, up to the session', async () => {
    const seen: number[] = [];
    await generateSession({ seed: 3, symbols: 8, messages: 300_000, out: join(dir, 'a.itch'), onProgress: (n) => seen.push(n) });
    increasingTo(seen, 300_000);
  });

  it('the day profile too', async () => {
    const seen: number[] = [];
    await generateDay({ seed: 3, messages: 300_000, out: join(dir, 'b.itch'), onProgress: (n) => seen.push(n) });
    increasingTo(seen, 300_000);
  });

  it('the bar prints messages, their rate and the share on a terminal, nothing elsewhere', () => {
    const out: string[] = [];
    const tty = { isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar('gen: x.itch', tty, 'messages');
    bar?.update(1_500_000, 6_000_000);
    expect(out.join('')).toMatch(/gen: x\.itch \[#+\.+\] 25\.0% 1\.50M of 6\.00M messages, [\d.]+M\/s/);
    expect(progressBar('gen: x.itch', { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream, 'messages')).toBeUndefined();
  });
});
