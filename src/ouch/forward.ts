/**
 * The venue forward of an order the gateway's native read path took (issue 13): an Enter Order
 * written from the client's Enter Order bytes instead of encoded from its values.
 */
import { OuchInbound } from '../contract.ts';

/** Enter Order's layout, for `writeForwardedEnter`: the bytes it copies (side, quantity, symbol, price, time in force) and those it writes. */
const ENTER = OuchInbound.ENTER_ORDER;
const ENTER_TYPE = ENTER.code;
const ENTER_REF = ENTER.fields.userRefNum.offset;
const ENTER_COPY_FROM = ENTER.fields.side.offset;
const ENTER_COPY_TO = ENTER.fields.timeInForce.offset + 1;
const ENTER_DISPLAY = ENTER.fields.display.offset;
const ENTER_CAPACITY = ENTER.fields.capacity.offset;
const ENTER_ISE = ENTER.fields.interMarketSweepEligibility.offset;
const ENTER_CROSS = ENTER.fields.crossType.offset;
const ENTER_CLORDID = ENTER.fields.clOrdId.offset;
const ENTER_CLORDID_LEN = ENTER.fields.clOrdId.length;
const ENTER_APPENDAGE = ENTER.fields.appendageLength.offset;
// writeForwardedEnter copies side..timeInForce as one run: the layout must keep them contiguous, in this order.
for (const [name, next] of [['side', 'quantity'], ['quantity', 'symbol'], ['symbol', 'price'], ['price', 'timeInForce']] as const) {
  const a = ENTER.fields[name];
  if (a.offset + a.length !== ENTER.fields[next].offset) throw new Error(`forward: Enter Order's ${name} and ${next} are not contiguous (contract layout)`);
}

/**
 * Writes into `b` (an Enter Order's 47 bytes) the Enter Order `OuchClient.enter` sends for
 * UserRefNum `userRefNum` and the side, quantity, symbol, price and time in force of the plain
 * Enter Order at `src[at, at + 47)` (fields as an encoder writes them, as the native read path
 * checked them): display Y, capacity A, no sweep, cross type N, clOrdId RG<userRefNum>, no
 * appendage. Those five fields are copied, the rest written, so the bytes equal the encoder's.
 */
export function writeForwardedEnter(b: Buffer, src: Buffer, at: number, userRefNum: number): void {
  b[0] = ENTER_TYPE;
  b.writeUInt32BE(userRefNum, ENTER_REF);
  for (let i = ENTER_COPY_FROM; i < ENTER_COPY_TO; i++) b[i] = src[at + i];
  b[ENTER_DISPLAY] = 0x59; // Y
  b[ENTER_CAPACITY] = 0x41; // A
  b[ENTER_ISE] = 0x4e; // N
  b[ENTER_CROSS] = 0x4e; // N
  // clOrdId "RG" and the UserRefNum in decimal, padded with spaces (as `enter`'s RG${userRefNum}).
  let c = ENTER_CLORDID;
  b[c++] = 0x52;
  b[c++] = 0x47;
  let digits = 1;
  for (let p = 10; p <= userRefNum; p *= 10) digits++;
  for (let k = digits - 1, v = userRefNum; k >= 0; k--, v = Math.floor(v / 10)) b[c + k] = 0x30 + (v % 10);
  for (c += digits; c < ENTER_CLORDID + ENTER_CLORDID_LEN; c++) b[c] = 0x20;
  b[ENTER_APPENDAGE] = 0;
  b[ENTER_APPENDAGE + 1] = 0;
}
