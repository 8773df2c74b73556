/**
 * The pcap reader (spec §17): both byte orders and both timestamp resolutions read the same
 * frames; every kind of corrupt or unsupported file is refused with the file, the byte offset
 * and the record number, through the CLI too (exit 4), never a crash.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/ethernet/pcap-writer.ts';
import { readPcapFrames } from '../../src/source/pcap.ts';
import { riskgate } from '../cli/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-pcap-'));
const frames = [Buffer.alloc(60, 1), Buffer.alloc(1514, 2), Buffer.alloc(61, 3)];

async function write(name: string, o: { nanoseconds?: boolean; bigEndian?: boolean } = {}): Promise<string> {
  const path = join(dir, name);
  const w = new PcapWriter(path, o);
  for (const [i, f] of frames.entries()) await w.frame(f, 1_000_000_123n * BigInt(i + 1));
  await w.close();
  return path;
}

async function read(path: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const f of readPcapFrames(path)) out.push(Buffer.from(f.data));
  return out;
}

async function failure(path: string): Promise<string> {
  try {
    await read(path);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${path} was read without an error`);
}

describe('pcap reader', () => {
  it('reads the same frames from µs and ns, little- and big-endian captures', async () => {
    for (const o of [{}, { nanoseconds: true }, { bigEndian: true }, { nanoseconds: true, bigEndian: true }]) {
      const p = await write(`ok-${JSON.stringify(o).replace(/\W/g, '')}.pcap`, o);
      expect(await read(p)).toEqual(frames);
    }
  });

  it('refuses a file cut inside a record header or inside a record, naming offset and record number', async () => {
    const good = readFileSync(await write('cut.pcap'));
    const cutHeader = join(dir, 'cut-header.pcap');
    writeFileSync(cutHeader, good.subarray(0, 24 + 16 + 60 + 7));
    expect(await failure(cutHeader)).toMatch(/cut-header\.pcap: record 2 at offset 100: the file ends inside its 16-byte record header/);
    const cutBody = join(dir, 'cut-body.pcap');
    writeFileSync(cutBody, good.subarray(0, 24 + 16 + 60 + 16 + 100));
    expect(await failure(cutBody)).toMatch(/cut-body\.pcap: record 2 at offset 100: the file ends inside its 1514 captured bytes \(100 left\)/);
  });

  it('refuses a captured length above the snap length as a corrupt record header', async () => {
    const b = Buffer.from(readFileSync(await write('big.pcap')));
    b.writeUInt32LE(0x7fffffff, 24 + 16 + 60 + 8); // record 2's captured length
    const p = join(dir, 'big-len.pcap');
    writeFileSync(p, b);
    expect(await failure(p)).toMatch(/record 2 at offset 100: captured length 2147483647 is above the snap length 65535/);
  });

  it('refuses pcapng, other link types, other versions, a cut global header and foreign bytes', async () => {
    const good = readFileSync(await write('hdr.pcap'));
    const cases: [string, Buffer, RegExp][] = [
      ['ng.pcapng', Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000', 'hex'), /pcapng is not supported, convert it .*editcap -F pcap/],
      ['link.pcap', (() => { const b = Buffer.from(good); b.writeUInt32LE(105, 20); return b; })(), /link type 105 at offset 20: only Ethernet \(1\)/],
      ['version.pcap', (() => { const b = Buffer.from(good); b.writeUInt16LE(1, 4); return b; })(), /pcap version 1\.4 at offset 4/],
      ['short.pcap', good.subarray(0, 10), /global header cut off: the file has 10 of its 24 bytes/],
      ['text.pcap', Buffer.from('hello world, not a capture\n'), /not a pcap capture: magic 0x68656c6c at offset 0/],
    ];
    for (const [name, bytes, want] of cases) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      expect(await failure(p), name).toMatch(want);
    }
  });

  it('the CLI reports a corrupt capture with exit 4 and the record, not a stack trace', async () => {
    const good = readFileSync(await write('cli.pcap'));
    const p = join(dir, 'cli-cut.pcap');
    writeFileSync(p, good.subarray(0, good.length - 5));
    const r = riskgate(['replay', p]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/INPUT_UNREADABLE: .*cli-cut\.pcap: record 3 at offset \d+: the file ends inside its 61 captured bytes/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const ng = join(dir, 'cli.pcapng');
    writeFileSync(ng, Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000', 'hex'));
    const r2 = riskgate(['replay', ng]);
    expect(r2.status).toBe(4);
    expect(r2.stderr).toMatch(/pcapng is not supported/);
  });
});
