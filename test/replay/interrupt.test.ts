/**
 * A replay at full speed from a .gz never waits for the event loop on its own (the native ring
 * is read synchronously), yet SIGINT/SIGTERM must stop it at the next boundary: the abort
 * signal's handler, like a signal handler, is a macrotask and gets its turn while the file is
 * still being replayed — on the streaming path and the batch path alike.
 */
import { describe, expect, it } from 'vitest';
import { configBlob, loadConfig } from '../../src/config/index.ts';
import { RustEngine } from '../../src/engine/rust.ts';
import { replay } from '../../src/replay/run.ts';

const DEMO = new URL('../../data/demo.itch.gz', import.meta.url).pathname;
const config = loadConfig();

describe('an abort from a timer stops a full-speed .gz replay before the end', () => {
  for (const [path, how] of [['streaming', {}], ['batches of 4,096 frames', { batchFrames: 4096 }]] as const) {
    it(path, async () => {
      const engine = new RustEngine(configBlob(config));
      const stop = new AbortController();
      // The timer starts with the first records (the run is under way by then); small reads
      // so that the run takes a while on a fast machine too.
      let timer: NodeJS.Timeout | undefined;
      const onRecords = () => {
        timer ??= setTimeout(() => stop.abort('test'), 5);
      };
      try {
        const r = await replay({ file: DEMO, config, engine, signal: stop.signal, readChunkBytes: 16 << 10, onRecords, ...how });
        expect(stop.signal.aborted, 'the timer fired while the replay ran').toBe(true);
        expect(r.interrupted, 'stopped before the end').toBeDefined();
        const { beforeSeq, offset } = r.interrupted!;
        expect(beforeSeq).toBeGreaterThan(1);
        expect(beforeSeq).toBeLessThan(200_001);
        expect(r.stats.messages, 'the report covers the messages before the stop').toBe(beforeSeq - 1);
        expect(offset).toBeGreaterThan(0);
      } finally {
        clearTimeout(timer);
        engine.close();
      }
    }, 60_000);
  }
});
