/**
 * `node --import tsx bench/order-path-cpu.ts`: the CPU time per order of the whole order path in
 * ONE process — an OUCH client, the gateway with the router and the order-entry engine, the
 * venue connection and the venue simulator, and back — so that an A/B of two checkouts does not
 * depend on how the OS shares the cores among processes (bench/gateway.ts measures the real
 * processes, whose figures on a loaded machine follow their CPU share). The engine is a
 * stand-in that accepts every frame (the Rust engine's own cost is left out); IOC orders in
 * bursts of 16, at most 2,000 in flight, 20,000 first to warm up.
 *
 * Env: N (orders measured, 60000), TREE (the checkout whose src/ to measure; default this one,
 * e.g. TREE=/path/to/other-checkout for an A/B with the same script), NATIVE_READ=0 (the gateway
 * without its native read path, src/order-entry/native-read.ts, where the tree has one).
 *
 * Bytes allocated per order: `bench/order-path-alloc.sh` (same env) runs this with
 * `--expose-gc --trace-gc-nvp`: a full GC before and after the measured orders, between the two
 * `order-path-cpu: measure` lines, and it sums the `allocated=` fields of the GCs between them
 * (the last one included). HEAP_PROFILE=file writes a sampling heap profile of the measured
 * orders (collected objects included: where the bytes are allocated).
 */
import { fileURLToPath } from 'node:url';

const TREE = process.env.TREE ?? fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const N = Number(process.env.N ?? 60000);
const { OuchClient } = await import(`${TREE}/src/client/index.ts`);
const { Gateway } = await import(`${TREE}/src/ouch/gateway.ts`);
const { Venue } = await import(`${TREE}/src/venue/venue.ts`);
const { OrderEntryEngine } = await import(`${TREE}/src/order-entry/engine-session.ts`);
const { OrderRouter } = await import(`${TREE}/src/order-entry/router.ts`);
const C = await import(`${TREE}/src/contract.ts`);
const OF = C.ORDER_FRAME, VF = C.VENUE_FRAME, H = C.RecordHeader, F = C.RecordField, K = C.RecordKind, RS = C.RECORD_SIZE;
class Stand {
  backend = 'stand';
  process(f: Buffer) { const o = Buffer.alloc(this.maxRecordBytes(f.length)); return o.subarray(0, this.processInto(f, o)); }
  processInto(f: Buffer, out: Buffer) {
    let n = 0;
    for (let off = 0; off + 2 <= f.length; ) {
      const len = f.readUInt16BE(off); const m = off + 2; off = m + len; if (len === 0) break;
      const r = out.subarray(n, n + RS).fill(0);
      if (f[m] === OF.typeByte) { r[H.kind] = K.ORDER; r[H.aux] = f[m + 1]; r.writeUInt32LE(f.readUInt32BE(m + OF.off_order_id), F.ORDER.order_id); }
      else if (f[m] === VF.typeByte) { r[H.kind] = K.ORDER; r[H.aux] = f[m + 1]; r.writeUInt32LE(f.readUInt32BE(m + VF.off_order_id), F.ORDER.order_id); }
      else continue;
      n += RS;
    }
    return n;
  }
  maxRecordBytes(n: number) { return (Math.ceil(n / 30) + 1) * RS; }
  stats() { return {}; } reset() {} close() {}
}
const U = { username: 'U1', password: 'pw' };
const symbols = ['MSFT', 'NVDA', 'INTC', 'AMD'];
const venue = new Venue({ sessions: [U], port: 0 });
const va = await venue.start();
const link = await OuchClient.connect({ port: va.port, ...U, keepAnswers: false });
const oe = new OrderEntryEngine(new Stand(), 0n, 1, { maxOpenOrders: 1_000_000, maxOrderRate: 1_000_000_000 });
const router = new OrderRouter(oe, symbols, link);
// The gateway's native read path (issue 13) as `riskgate gateway` takes it, where the tree has one.
let nativeRead: unknown;
if (process.env.NATIVE_READ !== '0') {
  try {
    nativeRead = (await import(`${TREE}/src/order-entry/native-read.ts`)).nativeReadScanner();
  } catch {
    nativeRead = undefined;
  }
}
const gw = new Gateway({ sessions: [{ ...U, account: 0 }], decide: router.decide, ...(router.decideBatch ? { decideBatch: router.decideBatch } : {}), orders: router.listener, port: 0, symbols, onOrderTiming: () => {}, ...(nativeRead ? { nativeRead } : {}) });
router.attach(gw);
const ga = await gw.start();
const c = await OuchClient.connect({ port: ga.port, ...U, keepAnswers: false });
let answered = 0;
c.onAnswer((a: any) => { if (a.kind === 'ORDER_CANCELED' || a.kind === 'ORDER_REJECTED') answered++; });
const turn = () => new Promise((r) => setImmediate(r));
async function run(n: number, burst: number) {
  const start = answered;
  for (let k = 0; k < n; ) {
    for (let b = 0; b < burst && k < n; b++, k++) c.enter({ side: k & 1 ? 'S' : 'B', quantity: 1 + (k % 3), symbol: symbols[k % 4], price: BigInt(10_000 + (k % 7)), timeInForce: '3' });
    while (k - (answered - start) > 2000) await turn();
    await turn();
  }
  while (answered - start < n) await turn();
}
await run(20000, 16); // warm
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) { gc(); console.log('order-path-cpu: measure start'); }
// HEAP_PROFILE=file: a sampling heap profile of the measured orders, collected objects included (where the bytes are allocated).
const heapOut = process.env.HEAP_PROFILE;
const { Session } = await import('node:inspector/promises');
const hs = heapOut ? new Session() : null;
if (hs) { hs.connect(); await hs.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never); }
const cpu0 = process.cpuUsage(); const t0 = performance.now();
await run(N, 16);
const cpu = process.cpuUsage(cpu0); const wall = performance.now() - t0;
if (gc) { gc(); console.log('order-path-cpu: measure end'); }
if (hs) { const { profile } = await hs.post('HeapProfiler.stopSampling') as { profile: unknown }; (await import('node:fs')).writeFileSync(heapOut!, JSON.stringify(profile)); }
console.log(JSON.stringify({ tree: TREE.split('/').pop(), nativeRead: Boolean(nativeRead), nativeOrders: (gw as { nativeReads?: { orders: number } }).nativeReads?.orders, orders: N, cpuUsPerOrder: +((cpu.user + cpu.system) / N).toFixed(2), sysUsPerOrder: +(cpu.system / N).toFixed(2), wallMs: Math.round(wall) }));
await c.logout().catch(() => {}); await link.logout().catch(() => {}); await gw.close(); await venue.close();
process.exit(0);
