/**
 * The captures `riskgate pcap` writes, read by code that is not ours: dpkt (PyPI, in a local
 * venv made by scripts/python-pcap-env.sh) decodes every frame; classified by spec §17 on
 * dpkt's fields, the counts are the generator's, the kept payloads are byte for byte those the
 * Rust core's front end keeps, and every kept frame carries a valid UDP checksum. Both pcap
 * variants (ns, big-endian) are read by dpkt too.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ETH_DROP_NAMES } from '../../src/contract.ts';
import { loadNative } from '../../src/engine/rust.ts';
import { generateSessionBuffer } from '../../src/gen/index.ts';
import { readFrameBatches } from '../../src/source/capture.ts';
import { riskgateJson } from '../cli/run-cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rg-dpkt-'));

function python(): string {
  const r = spawnSync('bash', [join(ROOT, 'scripts/python-pcap-env.sh')], { encoding: 'utf8', timeout: 540_000 });
  if (r.status !== 0) throw new Error(`scripts/python-pcap-env.sh failed:\n${r.stderr}`);
  return r.stdout.trim();
}

async function ourKeptSha(pcap: string): Promise<string> {
  const rx = new (loadNative().EthernetReceiver)(0xe9360c6f, 26477, 26478);
  const h = createHash('sha256');
  for await (const b of readFrameBatches(pcap, 512, { records: 0, snapped: 0 })) {
    const p = rx.receive(b.stream);
    for (let o = 0; o < p.length; ) {
      const n = p.readUInt32LE(o) & 0x7fff_ffff; // bit 31: an order-entry frame (spec §18.7)
      h.update(p.subarray(o + 4, o + 4 + n));
      o += 4 + n;
    }
  }
  return h.digest('hex');
}

describe('captures read by an independent decoder (dpkt)', () => {
  const py = python();
  const itch = join(dir, 's.itch');
  writeFileSync(itch, generateSessionBuffer({ seed: 21, symbols: 6, messages: 8_000, controlMessages: true }));
  for (const variant of [[], ['--ns', '--big-endian']]) {
    it(`dpkt classifies every frame as the generator made it and keeps the same payloads ${variant.join(' ') || '(µs, little-endian)'}`, async () => {
      const pcap = join(dir, `s${variant.join('')}.pcap`);
      const gen = riskgateJson(['pcap', itch, '--out', pcap, '--bad', 'all', '--bad-every', '2', '--vlan', '4', '--ip-options', ...variant]);
      expect(gen.status, gen.stderr).toBe(0);
      const r = spawnSync(py, [join(ROOT, 'test/ethernet/dpkt_check.py'), pcap, '233.54.12.111', '26477', '26478'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout);
      expect(got.counts.KEPT).toBe(gen.json.good);
      for (const k of ETH_DROP_NAMES) expect(got.counts[k] ?? 0, k).toBe(gen.json.bad[k.toLowerCase().replace(/_/g, '-')]);
      expect(got.udpChecksumOk).toBe(gen.json.good);
      expect(got.keptSha256).toBe(await ourKeptSha(pcap));
    });
  }
});
