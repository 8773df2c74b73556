/**
 * The venue forward written from a client's Enter Order bytes (src/ouch/forward.ts, issue 13):
 * the same 47 bytes `OuchClient.enter` encodes for that order's side, quantity, symbol, price
 * and time in force, whatever the client's own display, capacity, sweep, cross type and
 * clOrdId, for UserRefNums of every decimal length.
 */
import { describe, expect, it } from 'vitest';
import { encodeInbound, encodeInboundInto, inboundSize, type EnterOrder, type Side } from '../../src/ouch/codec.ts';
import { writeForwardedEnter } from '../../src/ouch/forward.ts';

const SIDES: Side[] = ['B', 'S', 'T', 'E'];
const TIFS = ['0', '3', '5', '6', 'E'];
const SYMBOLS = ['A', 'MSFT', 'NVDA', 'BRK.B', 'ABCDEFGH', 'ZZ'];

/** A small deterministic generator (the cases are the same every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('writeForwardedEnter', () => {
  it('writes the bytes OuchClient.enter encodes for the forwarded fields', () => {
    const r = rng(13);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const refs = [1, 9, 10, 11, 99, 100, 12_345, 999_999_999, 1_000_000_000, 0xffff_ffff];
    for (let k = 0; k < 2_000; k++) {
      const client: EnterOrder = {
        kind: 'ENTER_ORDER', userRefNum: 1 + Math.floor(r() * 1e9), side: pick(SIDES), quantity: 1 + Math.floor(r() * 999_999),
        symbol: pick(SYMBOLS), price: BigInt(1 + Math.floor(r() * 1_999_999_990)), timeInForce: pick(TIFS),
        display: pick(['Y', 'N', 'A']), capacity: pick(['A', 'P', 'R', 'O']), interMarketSweepEligibility: pick(['Y', 'N']),
        crossType: 'N', clOrdId: `C${k}`, options: [],
      };
      // The client's bytes somewhere inside a larger read.
      const at = 3 + (k % 5);
      const read = Buffer.alloc(at + 60, 0xee);
      encodeInbound(client).copy(read, at);
      const ref = k < refs.length ? refs[k] : 1 + Math.floor(r() * 0xffff_fffe);
      const want = Buffer.alloc(inboundSize('ENTER_ORDER'));
      encodeInboundInto({
        kind: 'ENTER_ORDER', userRefNum: ref, side: client.side, quantity: client.quantity, symbol: client.symbol, price: client.price,
        timeInForce: client.timeInForce, display: 'Y', capacity: 'A', interMarketSweepEligibility: 'N', crossType: 'N', clOrdId: `RG${ref}`, options: [],
      }, want);
      const got = Buffer.alloc(inboundSize('ENTER_ORDER'), 0xaa);
      writeForwardedEnter(got, read, at, ref);
      expect(got.toString('hex'), `case ${k}, UserRefNum ${ref}`).toBe(want.toString('hex'));
    }
  });
});
