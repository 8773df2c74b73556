/**
 * The day's clock: how many messages each second of the day carries (the message-rate
 * profile: quiet pre-market, a burst at the 09:30 open, U-shaped through the day, a spike at
 * the 16:00 close, quiet after-hours), and the ITCH timestamp of every message — bursty within
 * each second (src/gen/clock.ts), never decreasing.
 */
import { Clock } from '../clock.ts';
import type { Prng } from '../prng.ts';
import { log2, pow2 } from './math.ts';
import { hms, LIFETIMES, NS, TIMES, type LifetimeClass } from './params.ts';

export const DAY_SECONDS = 86_400;
const S = (t: number): number => t / NS;

/**
 * Relative message rate in second `sec` of the day (our choice of shape: the U-shape of
 * intraday activity with bursts at the open and at the close).
 */
export function relativeRate(sec: number): number {
  if (sec < S(TIMES.startOfSystem) || sec >= S(TIMES.endOfSystem)) return 0;
  const open = S(TIMES.open);
  const close = S(TIMES.close);
  if (sec < S(hms(7))) return 0.025;
  if (sec < S(hms(8))) return 0.05;
  if (sec < S(hms(9))) return sec >= S(hms(8, 30)) && sec < S(hms(8, 32)) ? 0.3 : 0.09; // 08:30 economic releases
  if (sec < S(hms(9, 25))) return 0.16;
  if (sec < open) return 0.3;
  if (sec < close) {
    const x = (sec - open) / (close - open);
    const d = sec - open;
    const c = close - sec;
    return 0.5 + 2.2 * (x - 0.48) * (x - 0.48) + 9 * pow2(-d / 30) + 1.2 * pow2(-d / 600) + 0.9 * pow2(-c / 240) + 3 * pow2(-c / 8);
  }
  const d = sec - close;
  return 0.03 + 10 * pow2(-d / 10) + 0.4 * pow2(-d / 900);
}

/**
 * Messages in each second of the day: `total` messages between start and end of system
 * hours, spread by `relativeRate`, plus `extra[s]` scheduled messages expected in second s
 * (NOII, crosses, day orders expiring at the close) on top of the flow.
 */
export function planSlots(total: number, extra: Float64Array): Int32Array {
  const slots = new Int32Array(DAY_SECONDS);
  const first = S(TIMES.startOfSystem);
  const last = S(TIMES.endOfSystem);
  let flow = 0;
  let ext = 0;
  for (let s = first; s < last; s++) {
    flow += relativeRate(s);
    ext += extra[s];
  }
  const scale = Math.max(0, total - ext) / flow;
  let cum = 0;
  let prev = 0;
  let sum = 0;
  for (let s = first; s < last; s++) {
    cum += relativeRate(s) * scale + extra[s];
    const r = Math.round(cum);
    slots[s] = r - prev;
    sum += r - prev;
    prev = r;
  }
  slots[last - 1] += total - sum;
  return slots;
}

/** Share of orders of a lifetime class still live `x` ns after they were added. */
function survival(c: LifetimeClass, x: number): number {
  if (x <= c.lo) return 1;
  const f = log2(x / c.lo) / c.octaves;
  return f >= 1 ? 0 : 1 - f;
}

/**
 * Orders expected live at time `t` under the plan `slots`, when each message creates
 * `perMessage` orders whose lifetimes follow LIFETIMES (executions ignored: an upper bound).
 */
export function expectedLiveAt(slots: Int32Array, t: number, perMessage: number): number {
  let live = 0;
  const end = Math.floor(t / NS);
  for (let s = S(TIMES.startOfSystem); s < end; s++) {
    if (slots[s] === 0) continue;
    const age = t - (s + 0.5) * NS;
    let alive = 0;
    for (const c of LIFETIMES) alive += c.share * survival(c, age);
    live += slots[s] * perMessage * alive;
  }
  return live;
}

export class Timeline {
  private sec: number;
  private left = 0;
  private readonly clock: Clock;

  /** `slots[s]`: messages planned for second s of the day (see planSlots). */
  constructor(rng: Prng, readonly slots: Int32Array) {
    this.clock = new Clock(rng);
    this.sec = S(TIMES.startOfSystem) - 1;
    this.clock.at(TIMES.startOfSystem);
  }

  /** Timestamp of the next message (ns since midnight). */
  next(): number {
    while (this.left === 0) {
      this.sec++;
      if (this.sec >= DAY_SECONDS) throw new Error('generator bug: more messages than the timeline planned');
      this.left = this.slots[this.sec];
      if (this.left > 0) this.clock.phase(this.sec * NS, (this.sec + 1) * NS, this.left);
    }
    this.left--;
    return this.clock.next();
  }
}
