/**
 * Start-up warm-up (issue 13): before `riskgate gateway` listens (and `riskgate venue-sim`),
 * the process sends a few thousand orders through its own order path over loopback TCP —
 * OUCH client, gateway sessions and codec, the router's batched decisions, the order-entry
 * engine's frames and records, the venue connection and the venue simulator — so that V8 has
 * compiled them before the first client order arrives. Measured on the shared test machine,
 * a cold gateway took the first second's orders at a fraction of its later speed: at
 * 10k orders/s every engine order id filled up with orders waiting for the venue and
 * thousands were refused; after 6,000 warm-up orders, none were (README "Order entry").
 *
 * Everything here is a throwaway instance: its own gateway, router and order-entry engine on
 * a stand-in engine that accepts every order frame (the real engine, its state, merged stream
 * and digest never see a warm-up order), its own venue simulator with an empty book (each
 * IOC order is canceled at once), its own ports.
 */
import type { AddressInfo } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { OuchClient } from '../client/index.ts';
import { ORDER_FRAME as OF, RecordField, RecordHeader as H, RecordKind, RECORD_SIZE, VENUE_FRAME as VF } from '../contract.ts';
import type { Engine, EngineStats } from '../engine/types.ts';
import { Gateway } from '../ouch/gateway.ts';
import { Venue } from '../venue/venue.ts';
import { OrderEntryEngine } from './engine-session.ts';
import { nativeReadScanner } from './native-read.ts';
import { OrderRouter } from './router.ts';

/** Orders `riskgate gateway` and `riskgate venue-sim` warm up with unless told otherwise (--warm-up). */
export const DEFAULT_WARM_UP_ORDERS = 5000;
const USER = { username: 'WARMUP', password: 'warm-up' };
/** Client sessions of the throwaway gateway: several, as a real gateway's (its per-session paths see more than one). */
const SESSIONS = 4;
/** Orders in flight at most: the warm-up waits for answers rather than queueing without bound. */
const IN_FLIGHT = 256;
/** Orders sent per event-loop turn (a burst, as a busy client's). */
const BURST = 32;
const TIMEOUT_MS = 30_000;

export interface WarmUpResult {
  orders: number;
  answered: number;
  ms: number;
}

/**
 * A stand-in engine for the warm-up: every order frame accepted (an ORDER record with reasons
 * 0), every venue frame applied (a FILL or an ORDER `C` record), controls answered with no
 * record. Never a risk decision on a real order: only the warm-up's throwaway router uses it.
 */
class AcceptEverythingEngine implements Engine {
  readonly backend = 'warm-up';

  process(frames: Buffer): Buffer {
    const out = Buffer.alloc(this.maxRecordBytes(frames.length));
    return out.subarray(0, this.processInto(frames, out));
  }

  processInto(frames: Buffer, out: Buffer): number {
    let n = 0;
    for (let off = 0; off + 2 <= frames.length; ) {
      const len = frames.readUInt16BE(off);
      const m = off + 2;
      off = m + len;
      if (len === 0) break;
      const r = out.subarray(n, n + RECORD_SIZE).fill(0);
      if (frames[m] === OF.typeByte && len === OF.length) {
        r[H.kind] = RecordKind.ORDER;
        r[H.aux] = frames[m + OF.off_action];
        r.writeUInt32LE(frames.readUInt32BE(m + OF.off_order_id), RecordField.ORDER.order_id);
        r.writeUInt32LE(frames.readUInt32BE(m + OF.off_qty), RecordField.ORDER.qty);
      } else if (frames[m] === VF.typeByte && len === VF.length) {
        const executed = frames[m + VF.off_event] === 0x45;
        r[H.kind] = executed ? RecordKind.FILL : RecordKind.ORDER;
        r[H.aux] = frames[m + VF.off_event];
        if (executed) r[RecordField.FILL.leg] = 1;
        else r.writeUInt32LE(frames.readUInt32BE(m + VF.off_order_id), RecordField.ORDER.order_id);
      } else {
        continue;
      }
      n += RECORD_SIZE;
    }
    return n;
  }

  maxRecordBytes(inputLength: number): number {
    // One record per frame at most, and no frame is shorter than 2 + 28 bytes.
    return (Math.ceil(inputLength / 30) + 1) * RECORD_SIZE;
  }

  stats(): EngineStats {
    return {} as EngineStats;
  }

  reset(): void {}
  close(): void {}
}

/**
 * Sends `orders` IOC orders through a throwaway venue simulator — through a throwaway gateway
 * and its router first unless `venueOnly` (the venue simulator's own warm-up) — and waits
 * for their last answers. `symbols`: the symbols the real orders will name.
 */
export async function warmUp(orders: number, symbols: readonly string[], venueOnly = false): Promise<WarmUpResult> {
  const t0 = performance.now();
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const venue = new Venue({ sessions: [USER], port: 0 });
    const va: AddressInfo = await venue.start();
    closers.push(() => venue.close());
    let port = va.port;
    if (!venueOnly) {
      const link = await OuchClient.connect({ port: va.port, ...USER, keepAnswers: false });
      closers.push(() => link.logout().catch(() => link.destroy()));
      const oe = new OrderEntryEngine(new AcceptEverythingEngine(), 0n, 1, { maxOpenOrders: 1_000_000, maxOrderRate: 1_000_000_000 });
      // Every engine call told to a listener, as `riskgate gateway`'s are (its metrics and
      // clearing): the call's path is compiled with that branch taken (issue 13: a warm-up
      // without it left the real path to be recompiled in the first second of orders).
      oe.onRecords = () => {};
      const router = new OrderRouter(oe, symbols, link);
      const gw = new Gateway({
        sessions: Array.from({ length: SESSIONS }, (_, k) => ({ username: `WARM${k}`, password: USER.password, account: 0 })),
        decide: router.decide, decideBatch: router.decideBatch, orders: router.listener, port: 0, symbols,
        // The native read path as the real gateway takes it (compiled with it).
        nativeRead: nativeReadScanner(),
        // The room check on every read, as the real gateway with a venue makes it.
        hasRoom: router.hasRoom,
        // Timing as `--latency` takes it, so that path is compiled too (the samples are dropped).
        onOrderTiming: () => {},
      });
      router.attach(gw);
      port = (await gw.start()).port;
      closers.unshift(() => gw.close());
    }
    const clients: OuchClient[] = [];
    for (let k = 0; k < (venueOnly ? 1 : SESSIONS); k++) {
      const client = await OuchClient.connect({ port, username: venueOnly ? USER.username : `WARM${k}`, password: USER.password, keepAnswers: false });
      closers.unshift(() => client.logout().catch(() => client.destroy()));
      clients.push(client);
    }
    // An IOC order ends with Order Canceled (the empty book takes nothing) or Order Rejected.
    let answered = 0;
    for (const client of clients) client.onAnswer(() => answered++, ['ORDER_CANCELED', 'ORDER_REJECTED', 'ORDER_EXECUTED']);
    const deadline = Date.now() + TIMEOUT_MS;
    for (let k = 0; k < orders && Date.now() < deadline; ) {
      for (let b = 0; b < BURST && k < orders; b++, k++) {
        clients[k % clients.length].enter({ side: k & 1 ? 'S' : 'B', quantity: 1 + (k % 3), symbol: symbols[k % symbols.length], price: BigInt(10_000 + (k % 7)), timeInForce: '3' });
      }
      while (k - answered > IN_FLIGHT && Date.now() < deadline) await turn();
      await turn();
    }
    while (answered < orders && Date.now() < deadline && clients.every((c) => c.closedReason === null)) await turn();
    return { orders, answered, ms: Math.round(performance.now() - t0) };
  } finally {
    for (const c of closers) await c();
  }
}
