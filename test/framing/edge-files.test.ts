/**
 * `inspect` (no engine) and `replay` (the Rust engine) give the answer of spec §2 on the edge
 * cases of framing: stray bytes, length prefixes without a body, cut-off control messages,
 * end markers, one-byte frames. Both walk the input with the one frame cursor, so they agree
 * on counts, types, problem kinds, seqs and offsets, word for word.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/commands/inspect.ts';
import { blobFingerprint, configBlob, loadConfig, type Config } from '../../src/config/index.ts';
import { Problem } from '../../src/contract.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { frame, frames, itch } from '../../src/itch/encode.ts';
import { ControlOp, GLOBAL_TARGET } from '../../src/itch/layout.ts';
import { byTypeObject, problemList } from '../../src/report/replay-report.ts';
import { replay } from '../../src/replay/run.ts';

const S = itch.systemEvent({ locate: 0, ts: 1 }, 'O'); // 12 bytes, frame 14
const R = itch.stockDirectory({ locate: 1, ts: 2 }, 'AAPL'); // 39 bytes, frame 41
const A = itch.addOrder({ locate: 1, ts: 3 }, { ref: 1n, side: 'B', shares: 100, stock: 'AAPL', price: 1_900_000 });
/** A valid GLOBAL_KILL for seq 2 (it sits right after message 1). */
const KILL_BEFORE_2 = itch.control(ControlOp.GLOBAL_KILL, GLOBAL_TARGET, 2, 1, blobFingerprint(configBlob(loadConfig())));
const FS = 2 + S.length;
const FR = 2 + R.length;
const bytes = (...b: number[]) => Buffer.from(b);
const END = bytes(0, 0);

interface Expected {
  messages: number;
  controls?: number;
  byType: Record<string, number>;
  /** kind → [count, first seq, first offset] */
  errors: Record<string, [number, number, number]>;
  warnings: string[];
}

/** Each file with the answer spec §2 gives for it, worked out by hand. */
const EDGE_FILES: { name: string; data: Buffer; want: Expected }[] = [
  { name: 'an empty file', data: Buffer.alloc(0), want: { messages: 0, byType: {}, errors: {}, warnings: ['MISSING_END_MARKER'] } },
  { name: 'only the end marker', data: END, want: { messages: 0, byType: {}, errors: {}, warnings: [] } },
  {
    name: 'one stray byte: a TRUNCATED frame of type 0 and length 0',
    data: bytes(5),
    want: { messages: 1, byType: { '0x00': 1 }, errors: { TRUNCATED: [1, 1, 0] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'one stray zero byte is half a length prefix, not an end marker',
    data: bytes(0),
    want: { messages: 1, byType: { '0x00': 1 }, errors: { TRUNCATED: [1, 1, 0] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'whole frames, then a stray byte: it takes the next seq',
    data: Buffer.concat([frames([S, R]), bytes(0)]),
    want: { messages: 3, byType: { S: 1, R: 1, '0x00': 1 }, errors: { TRUNCATED: [1, 3, FS + FR] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a length prefix with no body is counted under type 0',
    data: Buffer.concat([frames([S]), bytes(0, 36)]),
    want: { messages: 2, byType: { S: 1, '0x00': 1 }, errors: { TRUNCATED: [1, 2, FS] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a body cut short is counted under its type byte',
    data: Buffer.concat([frames([S]), frame(A).subarray(0, 12)]),
    want: { messages: 2, byType: { S: 1, A: 1 }, errors: { TRUNCATED: [1, 2, FS] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a cut-off control message takes a seq, under ~',
    data: Buffer.concat([frames([S]), frame(KILL_BEFORE_2).subarray(0, 10)]),
    want: { messages: 2, byType: { S: 1, '~': 1 }, errors: { TRUNCATED: [1, 2, FS] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a stray byte after a control message is reported where it is, not at the control',
    data: Buffer.concat([frames([S, KILL_BEFORE_2]), bytes(7)]),
    want: { messages: 2, controls: 1, byType: { S: 1, '0x00': 1 }, errors: { TRUNCATED: [1, 2, FS + 2 + KILL_BEFORE_2.length] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a well-sized control message takes no seq',
    data: frames([S, KILL_BEFORE_2, R], true),
    want: { messages: 2, controls: 1, byType: { S: 1, R: 1 }, errors: {}, warnings: [] },
  },
  {
    name: 'a ~ of another length is BAD_LENGTH and takes a seq',
    data: frames([S, itch.raw('~', 25), R], true),
    want: { messages: 3, byType: { S: 1, '~': 1, R: 1 }, errors: { BAD_LENGTH: [1, 2, FS] }, warnings: [] },
  },
  {
    name: 'one-byte frames: a known type is BAD_LENGTH, an unknown one UNKNOWN_TYPE',
    data: frames([itch.raw('A', 1), itch.raw('z', 1)], true),
    want: { messages: 2, byType: { A: 1, z: 1 }, errors: { BAD_LENGTH: [1, 1, 0], UNKNOWN_TYPE: [1, 2, 3] }, warnings: [] },
  },
  {
    name: 'a cut-off frame of an unknown type is TRUNCATED',
    data: Buffer.concat([frames([S]), bytes(0, 16, 0x7a, 1)]),
    want: { messages: 2, byType: { S: 1, z: 1 }, errors: { TRUNCATED: [1, 2, FS] }, warnings: ['MISSING_END_MARKER'] },
  },
  {
    name: 'a stray byte after the end marker is ignored, with a warning',
    data: Buffer.concat([frames([S], true), bytes(1)]),
    want: { messages: 1, byType: { S: 1 }, errors: {}, warnings: ['DATA_AFTER_END_MARKER'] },
  },
  {
    name: 'frames after an end marker in the middle are ignored, with a warning',
    data: Buffer.concat([frames([S], true), frames([R])]),
    want: { messages: 1, byType: { S: 1 }, errors: {}, warnings: ['DATA_AFTER_END_MARKER'] },
  },
  {
    name: 'whole frames and no end marker: a warning only',
    data: frames([S, R]),
    want: { messages: 2, byType: { S: 1, R: 1 }, errors: {}, warnings: ['MISSING_END_MARKER'] },
  },
];

let dir: string;
let config: Config;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskgate-edge-'));
  config = loadConfig();
});

/** The errors of a run as { kind: [count, first seq, first offset] }. */
function errorTable(list: ReturnType<typeof problemList>): Record<string, [number, number, number]> {
  return Object.fromEntries(list.map((e) => [e.kind, [e.count, e.firstSeq ?? -1, e.firstOffset]]));
}

describe('inspect and replay give the answer of spec §2 on edge files', () => {
  EDGE_FILES.forEach(({ name, data, want }, i) => {
    it(name, async () => {
      const file = join(dir, `edge-${i}.itch`);
      writeFileSync(file, data);
      const ins = await inspectFile(file);
      const rep = await replay({ file, config, engine: new RustEngine(configBlob(config)) });

      // inspect against the spec
      expect(ins.messages, 'inspect: messages').toBe(want.messages);
      expect(ins.controlMessages, 'inspect: control messages').toBe(want.controls ?? 0);
      expect(ins.byType, 'inspect: by type').toEqual(want.byType);
      expect(errorTable(ins.errors), 'inspect: errors').toEqual(want.errors);
      expect(ins.warnings.map((w) => w.kind), 'inspect: warnings').toEqual(want.warnings);

      // replay (the engine) against the spec
      expect(rep.stats.messages, 'replay: messages').toBe(want.messages);
      expect(rep.stats.controls + rep.stats.problems[Problem.BAD_CONTROL], 'replay: control messages').toBe(want.controls ?? 0);
      expect(byTypeObject(rep.stats.byType), 'replay: by type').toEqual(want.byType);
      expect(errorTable(problemList(rep.problems, 'error')), 'replay: errors').toEqual(want.errors);
      expect(problemList(rep.problems, 'warning').map((w) => w.kind), 'replay: warnings').toEqual(want.warnings);

      // and each other, word for word
      expect(problemList(rep.problems, 'error')).toEqual(ins.errors);
    });
  });
});
