/**
 * Minimal sessions for property tests: one symbol TEST (locate 1) on one account, a
 * reference trade, and a two-level book shaped so the strategy fires exactly the order the
 * test wants (spec §8.1 with IMB 3:1): a sell of q at p is produced by bid p×q then ask
 * (p+TICK)×3q; a buy of q at p by ask p×q then bid (p−TICK)×3q. The order's DECISION comes
 * from the second add.
 */
import { configFromJson, newEngine } from './engine.ts';
import { blobFingerprintOf, readableRecords, vectorConfigJson, vectorFrames, type InputMessage } from './vectors.ts';

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX = 0xffffffff;
export const I31_MAX = 0x7fffffff;
export const TICK = 100;

/** Notional or price units → the config's dollar string (4 decimals, exact). */
export function dollars(units: bigint | number): string {
  const u = BigInt(units);
  return `${u / 10000n}.${(u % 10000n).toString().padStart(4, '0')}`;
}

export interface Limits {
  maxQty?: number;
  maxNotional?: bigint;
  positionLimit?: number;
  startPosition?: number;
  collarBps?: number;
  creditLimit?: bigint;
  usedCredit?: bigint;
  maxOrders?: number;
  kill?: boolean;
  globalKill?: boolean;
  gateMarketHours?: boolean;
  throttleWindowShift?: number;
}

/** Every limit wide open unless given. */
export function configJson(l: Limits = {}): Record<string, unknown> {
  return vectorConfigJson({
    configBase: 'configs/one-symbol.json',
    configOverrides: {
      gateMarketHours: l.gateMarketHours ?? false,
      globalKill: l.globalKill ?? false,
      throttleWindowShift: l.throttleWindowShift ?? 30,
      strategy: { cooldownNs: 0, clipQty: U32_MAX, maxSpread: '0.05' },
      accounts: {
        0: { creditLimit: dollars(l.creditLimit ?? U64_MAX), usedCredit: dollars(l.usedCredit ?? 0n), maxOrdersPerWindow: l.maxOrders ?? U32_MAX },
      },
      symbols: {
        0: {
          maxQty: l.maxQty ?? U32_MAX,
          maxNotional: dollars(l.maxNotional ?? U64_MAX),
          positionLimit: l.positionLimit ?? I31_MAX,
          startPosition: l.startPosition ?? 0,
          collarBps: l.collarBps ?? 65535,
          kill: l.kill ?? false,
        },
      },
    },
  });
}

export interface Order {
  side: 'B' | 'S';
  /** Price units, on tick, ≥ TICK for buys. */
  price: number;
  qty: number;
}

let refCounter = 1;

/** The two adds that make the strategy send `o` (the second one decides). */
export function bookFor(o: Order, ts: number): InputMessage[] {
  const a = String(refCounter++), b = String(refCounter++);
  const add = (ref: string, side: string, shares: number, price: number, t: number): InputMessage =>
    ({ type: 'A', locate: 1, ts: t, ref, side, shares, stock: 'TEST', price });
  return o.side === 'S'
    ? [add(a, 'B', o.qty, o.price, ts), add(b, 'S', 3 * o.qty, o.price + TICK, ts + 1)]
    : [add(a, 'S', o.qty, o.price, ts), add(b, 'B', 3 * o.qty, o.price - TICK, ts + 1)];
}

export interface Decision {
  seq: number;
  side: string;
  price: number;
  qty: number;
  reasons: string[];
  accepted: boolean;
}

/** Runs input messages under `limits`; returns every record in readable form. */
export function run(limits: Limits, input: InputMessage[]): Record<string, unknown>[] {
  const { blob } = configFromJson(configJson(limits), 'property');
  const eng = newEngine(blob);
  const { stream } = vectorFrames({ name: 'property', input }, blobFingerprintOf(blob));
  try {
    return readableRecords(eng.process(stream, true));
  } finally {
    eng.close(); // ~20 MB each, thousands per property run
  }
}

export function decisions(records: Record<string, unknown>[]): Decision[] {
  return records
    .filter((r) => r.kind === 'DECISION')
    .map((r) => ({
      seq: r.seq as number, side: r.side as string, price: Math.round(Number(r.price) * 10000), qty: r.qty as number,
      reasons: r.reasons as string[], accepted: r.accepted as boolean,
    }));
}

/**
 * One order under `limits` with reference price `ref` (0 = no trade yet): R, P, the book.
 * Returns its single decision.
 */
export function oneOrder(limits: Limits, o: Order, ref: number, pre: InputMessage[] = []): Decision {
  const input: InputMessage[] = [{ type: 'R', locate: 1, ts: 1, stock: 'TEST' }, ...pre];
  if (ref > 0) input.push({ type: 'P', locate: 1, ts: 2, stock: 'TEST', price: ref });
  input.push(...bookFor(o, 1000));
  const d = decisions(run(limits, input));
  if (d.length !== 1) throw new Error(`expected one decision, got ${JSON.stringify(d)}`);
  if (d[0].side !== o.side || d[0].qty !== o.qty || d[0].price !== o.price) {
    throw new Error(`strategy sent ${JSON.stringify(d[0])}, wanted ${JSON.stringify(o)}`);
  }
  return d[0];
}
