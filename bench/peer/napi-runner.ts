/**
 * One process of `npm run bench:peer`: the Rust core through N-API on a session held in
 * memory, read in chunks of CHUNK bytes into one preallocated buffer (`processStream`), as a
 * streaming caller would: each call takes the next CHUNK bytes from where the last one stopped;
 * a frame cut off at a chunk's end is left unconsumed and starts the next call, so nothing walks
 * the frames but the engine. Prints one JSON line per pass (the first warms up).
 *
 *   node --import tsx bench/peer/napi-runner.ts SESSION.itch CONFIG.bin [PASSES] [CHUNK]
 *
 * CPU time is this thread's (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through koffi, exact to
 * the call; /proc/thread-self/schedstat advances only at scheduler ticks, 4 ms here, while the
 * thread runs), as the other runners measure theirs: the engine runs in the calling thread; the process's CPU time
 * (V8's helper threads included) is printed beside it as `process_cpu_s`. The peak RSS it
 * reports includes tsx's loader (about 30 MiB).
 */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { loadNative } from '../../src/engine/rust.ts';

const { Engine, maxRecordBytes } = loadNative();

const [sessionPath, configPath, passesArg, chunkArg] = process.argv.slice(2);
const session = readFileSync(sessionPath);
const engine = new Engine(readFileSync(configPath));
const passes = Number(passesArg ?? 2);
const chunk = Number(chunkArg ?? 1 << 20);
const out = Buffer.alloc(maxRecordBytes(chunk));

koffi.struct('rg_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
const clockGettime = koffi.load('libc.so.6').func('int clock_gettime(int clock, _Out_ rg_timespec *ts)');
/** Linux's CLOCK_THREAD_CPUTIME_ID. */
const CLOCK_THREAD_CPUTIME_ID = 3;
/** CPU time of the calling thread in ns. */
const threadCpuNs = (): number => {
  const ts = { tv_sec: 0, tv_nsec: 0 };
  if (clockGettime(CLOCK_THREAD_CPUTIME_ID, ts) !== 0) throw new Error('clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed');
  return Number(ts.tv_sec) * 1e9 + Number(ts.tv_nsec);
};

const peakRssKib = (): number => {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
};

for (let pass = 0; pass < passes; pass++) {
  engine.reset();
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0cpu = threadCpuNs();
  const t0 = process.hrtime.bigint();
  for (let at = 0; at < session.length; ) {
    const end = Math.min(at + chunk, session.length);
    const step = engine.processStream(session.subarray(at, end), out, end === session.length);
    bytes += step.written;
    at += step.consumed;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (threadCpuNs() - t0cpu) / 1e9;
  const c = process.cpuUsage(c0);
  const s = engine.stats();
  console.log(JSON.stringify({
    engine: 'napi', pass, warm: pass > 0, wall_s: wall, cpu_s: cpu, process_cpu_s: (c.user + c.system) / 1e6, messages: s.messages,
    record_bytes: bytes, tob: s.tob, flagged: s.flagged, table_full: s.tableFull, peak_rss_kib: peakRssKib(), chunk,
  }));
}
