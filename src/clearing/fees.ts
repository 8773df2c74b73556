/**
 * Fee schedule of the clearing side, read from the config's `fees` section
 * (`{ "perShare": "0.0030", "minPerExecution": "0.35" }`, decimal strings in dollars).
 * fee(execution) = max(perShare × qty, minPerExecution), rounded to the cent, half up.
 */
import { readFileSync } from 'node:fs';
import { D, type Dec } from './decimal.ts';
import { ClearingError } from './errors.ts';

export interface FeeSchedule {
  perShare: Dec;
  minPerExecution: Dec;
}

export interface FeeScheduleJson {
  perShare: string;
  minPerExecution: string;
}

const MONEY = /^\d+(\.\d+)?$/;

export function parseFeeSchedule(json: unknown): FeeSchedule {
  const f = json as Partial<FeeScheduleJson> | undefined;
  if (!f || typeof f !== 'object') throw new ClearingError('BAD_FEES', 'config has no "fees" object');
  for (const k of ['perShare', 'minPerExecution'] as const) {
    const v = f[k];
    if (typeof v !== 'string' || !MONEY.test(v)) {
      throw new ClearingError('BAD_FEES', `fees.${k} must be a non-negative decimal string, got ${JSON.stringify(v)}`);
    }
  }
  return { perShare: new D(f.perShare!), minPerExecution: new D(f.minPerExecution!) };
}

export function feeScheduleToJson(f: FeeSchedule): FeeScheduleJson {
  return { perShare: f.perShare.toString(), minPerExecution: f.minPerExecution.toString() };
}

/** Reads the `fees` section of a riskgate JSON config file. */
export function loadFeeSchedule(configPath: string): FeeSchedule {
  let json: { fees?: unknown };
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new ClearingError('BAD_FEES', `cannot read config ${configPath}: ${(e as Error).message}`, { cause: e });
  }
  return parseFeeSchedule(json.fees);
}

export function feeFor(f: FeeSchedule, qty: number): Dec {
  const raw = f.perShare.times(qty);
  const fee = raw.greaterThan(f.minPerExecution) ? raw : f.minPerExecution;
  return fee.toDecimalPlaces(2, D.ROUND_HALF_UP);
}
