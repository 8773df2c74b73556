/**
 * The embedded clearing's ledger: the same rules and the same results as `Ledger`
 * (src/clearing/ledger.ts: positions, average cost, realised P&L, fees, net cash, de-dup
 * watermarks), but built for throughput — executions are read straight from their 48-byte
 * EXECUTION records, applied in place (no staging: the embedded clearing has no transaction
 * to roll back), and the money is decimal.js's 40-digit half-even arithmetic done exactly on
 * bigints (src/clearing/exact.ts). Settlement entries are built only when asked for.
 * test/clearing/fast-ledger.test.ts checks it against `Ledger` execution by execution.
 */
import { D, type Dec } from './decimal.ts';
import { DX_ZERO, Dx, DxContext, dxOf, ROUND_HALF_EVEN } from './exact.ts';
import { EXECUTION as X, VERSIONS } from '../contract.ts';
import { decodeExecution, EXECUTION_SIZE, EXECUTION_VERSION, type Execution } from './execution.ts';
import { feeFor, type FeeSchedule } from './fees.ts';
import type { AccountJson, PositionJson, SettlementEntry } from './ledger.ts';

const CTX = new DxContext(D.precision, D.rounding === ROUND_HALF_EVEN ? ROUND_HALF_EVEN : badRounding(), D);

function badRounding(): never {
  throw new Error(`clearing decimal rounding ${D.rounding} is not ROUND_HALF_EVEN`);
}

const MAGIC = Buffer.from(VERSIONS.executionMagic, 'latin1');
const SEQ_LIMIT = 2 ** 48;

interface FastPosition {
  symbol: string;
  position: number;
  avg: Dx;
  realized: Dx;
  /**
   * Fees and net cash in 1/10,000 dollars as safe integers (where decimal.js, at 40 digits,
   * is exact too); once a sum would leave the safe range, exact values from then on.
   */
  fees4: number;
  cash4: number;
  feesX: Dx | null;
  cashX: Dx | null;
  bought: number;
  sold: number;
  executions: number;
}

interface Fee {
  dx: Dx;
  dec: Dec;
  /** In 1/10,000 dollars, when a safe integer. */
  n4: number | null;
}

interface FastAccount {
  accountId: number;
  cleared: number;
  /** session → [seq, leg] of the highest execution id cleared. */
  watermarks: Map<number, [number, number]>;
  positions: Map<string, FastPosition>;
}

export interface FastLedgerOptions {
  /** Build a SettlementEntry per cleared execution (default false). */
  entries?: boolean;
}

export class FastLedger {
  private readonly accounts = new Map<number, FastAccount>();
  /** Fee by quantity (fees depend on the quantity only). */
  private readonly feeByQty = new Map<number, Fee>();
  /** Symbol strings by their 8 record bytes (two u32 words). */
  private readonly symbolCache = new Map<number, Map<number, string>>();
  readonly entries: SettlementEntry[] = [];
  private readonly keepEntries: boolean;
  cleared = 0;
  duplicates = 0;
  malformed = 0;

  constructor(
    readonly fees: FeeSchedule,
    opts: FastLedgerOptions = {},
  ) {
    this.keepEntries = opts.entries ?? false;
  }

  /** Applies every whole EXECUTION record of `buf` (malformed ones are counted and skipped). */
  applyRecords(buf: Buffer): void {
    for (let off = 0; off + EXECUTION_SIZE <= buf.length; off += EXECUTION_SIZE) this.applyRecord(buf, off);
  }

  /** Applies the EXECUTION record at `buf[off]`; false when it is malformed. */
  applyRecord(buf: Buffer, off: number): boolean {
    const seqLo = buf.readUInt32LE(off + X.seq);
    const seqHi = buf.readUInt32LE(off + X.seq + 4);
    const side = buf[off + X.side];
    const price = buf.readUInt32LE(off + X.price);
    const qty = buf.readUInt32LE(off + X.qty);
    const symbol = this.symbolAt(buf, off + X.symbol);
    if (
      buf[off + X.magic] !== MAGIC[0] || buf[off + X.magic + 1] !== MAGIC[1] || buf[off + X.magic + 2] !== MAGIC[2] || buf[off + X.magic + 3] !== MAGIC[3] ||
      buf[off + X.version] !== EXECUTION_VERSION || (side !== 0x42 && side !== 0x53) ||
      seqHi >= 0x10000 || (seqLo === 0 && seqHi === 0) || price === 0 || qty === 0 || symbol === null
    ) {
      // The full decoder decides (and names the reason when it refuses).
      let e: Execution;
      try {
        e = decodeExecution(buf.subarray(off, off + EXECUTION_SIZE));
      } catch {
        this.malformed++;
        return false;
      }
      this.apply(e);
      return true;
    }
    const seq = seqHi * 0x1_0000_0000 + seqLo;
    this.applyFields(
      buf.readUInt32LE(off + X.session),
      seq,
      buf[off + X.leg],
      side === 0x42 ? 1 : -1,
      buf.readUInt32LE(off + X.account_id),
      symbol,
      price,
      qty,
    );
    return true;
  }

  /** Applies one decoded execution. */
  apply(e: Execution): 'cleared' | 'duplicate' {
    return this.applyFields(e.session, e.seq, e.leg, e.side === 'B' ? 1 : -1, e.accountId, e.symbol, e.price, e.qty);
  }

  private symbolAt(buf: Buffer, at: number): string | null {
    const lo = buf.readUInt32LE(at);
    const hi = buf.readUInt32LE(at + 4);
    let m = this.symbolCache.get(lo);
    if (!m) {
      m = new Map();
      this.symbolCache.set(lo, m);
    }
    let s = m.get(hi);
    if (s === undefined) {
      const raw = buf.toString('latin1', at, at + 8);
      if (!/^[\x21-\x7e]+ *$/.test(raw)) return null;
      s = raw.trimEnd();
      m.set(hi, s);
    }
    return s;
  }

  private fee(qty: number): Fee {
    let f = this.feeByQty.get(qty);
    if (!f) {
      const dec = feeFor(this.fees, qty);
      const dx = dxOf(dec);
      const n4 = dx.e >= -4 ? Number(dx.c * 10n ** BigInt(dx.e + 4)) : NaN;
      f = { dx, dec, n4: Number.isSafeInteger(n4) ? n4 : null };
      this.feeByQty.set(qty, f);
    }
    return f;
  }

  private applyFields(session: number, seq: number, leg: number, s: 1 | -1, accountId: number, symbol: string, price: number, q: number): 'cleared' | 'duplicate' {
    if (seq < 1 || seq >= SEQ_LIMIT) throw new RangeError(`seq ${seq} out of range`);
    let a = this.accounts.get(accountId);
    if (!a) {
      a = { accountId, cleared: 0, watermarks: new Map(), positions: new Map() };
      this.accounts.set(accountId, a);
    }
    const w = a.watermarks.get(session);
    if (w && (seq !== w[0] ? seq < w[0] : leg <= w[1])) {
      this.duplicates++;
      return 'duplicate';
    }
    if (w) {
      w[0] = seq;
      w[1] = leg;
    } else a.watermarks.set(session, [seq, leg]);
    let p = a.positions.get(symbol);
    if (!p) {
      p = { symbol, position: 0, avg: DX_ZERO, realized: DX_ZERO, fees4: 0, cash4: 0, feesX: null, cashX: null, bought: 0, sold: 0, executions: 0 };
      a.positions.set(symbol, p);
    }
    // applyToPosition (ledger.ts), step for step.
    const px = Dx.int(price, -4);
    const pq = price * q; // the notional in 1/10,000 dollars, exact when safe
    const notional = Number.isSafeInteger(pq) ? null : new Dx(BigInt(price) * BigInt(q), -4);
    const fee = this.fee(q);
    let realized = DX_ZERO;
    const pos = p.position;
    if (pos === 0 || Math.sign(pos) === s) {
      const abs = Math.abs(pos);
      p.avg = CTX.dividedByInt(CTX.plus(CTX.timesInt(p.avg, abs), notional ?? Dx.int(pq, -4)), abs + q);
      p.position = pos + s * q;
    } else {
      const close = Math.min(q, Math.abs(pos));
      realized = CTX.timesInt(CTX.timesInt(CTX.minus(px, p.avg), close), Math.sign(pos));
      p.realized = CTX.plus(p.realized, realized);
      p.position = pos + s * close;
      const rest = q - close;
      if (p.position === 0) p.avg = DX_ZERO;
      if (rest > 0) {
        p.position = s * rest;
        p.avg = px;
      }
    }
    // cash = −notional − fee (buy) or notional − fee (sell); net cash and fees add up.
    let cash4 = notional === null && fee.n4 !== null ? (s === 1 ? -pq : pq) - fee.n4 : NaN;
    let cashX: Dx | null = null;
    if (!Number.isSafeInteger(cash4)) {
      const n = notional ?? Dx.int(pq, -4);
      cashX = s === 1 ? CTX.minus(n.negated(), fee.dx) : CTX.minus(n, fee.dx);
      cash4 = NaN;
    }
    const nextCash = p.cashX === null && cashX === null ? p.cash4 + cash4 : NaN;
    if (Number.isSafeInteger(nextCash)) p.cash4 = nextCash;
    else p.cashX = CTX.plus(p.cashX ?? Dx.int(p.cash4, -4), cashX ?? Dx.int(cash4, -4));
    const nextFees = p.feesX === null && fee.n4 !== null ? p.fees4 + fee.n4 : NaN;
    if (Number.isSafeInteger(nextFees)) p.fees4 = nextFees;
    else p.feesX = CTX.plus(p.feesX ?? Dx.int(p.fees4, -4), fee.dx);
    if (s === 1) p.bought += q;
    else p.sold += q;
    p.executions += 1;
    a.cleared += 1;
    this.cleared++;
    if (this.keepEntries) {
      this.entries.push({
        execId: `${session}:${seq}:${leg}`,
        session,
        seq,
        leg,
        accountId,
        symbol,
        side: s === 1 ? 'B' : 'S',
        qty: q,
        price: CTX.toDecimal(px).toString(),
        notional: CTX.toDecimal(notional ?? Dx.int(pq, -4)).toString(),
        fee: fee.dec.toString(),
        cash: CTX.toDecimal(cashX ?? Dx.int(cash4, -4)).toString(),
        realizedPnl: CTX.toDecimal(realized).toString(),
        positionAfter: p.position,
      });
    }
    return 'cleared';
  }

  /** The accounts as `accountToJson` gives them for `Ledger`, by account id. */
  allAccounts(): AccountJson[] {
    return [...this.accounts.values()]
      .sort((a, b) => a.accountId - b.accountId)
      .map((a) => {
        const watermarks: Record<string, [number, number]> = {};
        for (const [s, w] of [...a.watermarks].sort((x, y) => x[0] - y[0])) watermarks[String(s)] = [w[0], w[1]];
        const positions = [...a.positions.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0));
        return { accountId: a.accountId, cleared: a.cleared, watermarks, positions: positions.map((p) => this.positionJson(a.accountId, p)) };
      });
  }

  private positionJson(accountId: number, p: FastPosition): PositionJson {
    return {
      accountId,
      symbol: p.symbol,
      position: p.position,
      avgPrice: CTX.toDecimal(p.avg).toString(),
      realizedPnl: CTX.toDecimal(p.realized).toString(),
      fees: CTX.toDecimal(p.feesX ?? Dx.int(p.fees4, -4)).toString(),
      netCash: CTX.toDecimal(p.cashX ?? Dx.int(p.cash4, -4)).toString(),
      bought: p.bought,
      sold: p.sold,
      executions: p.executions,
    };
  }
}
