/**
 * The orders of `riskgate send` (docs/spec.md §16.9, README), from the command line or a CSV
 * file, checked before anything is sent: every mistake is a usage error naming the order
 * (argument or CSV line) and what is wrong.
 *
 * Command line, one action after another:
 *   buy|sell|short|exempt QTY SYMBOL@PRICE [day|ioc]     enter an order
 *   cancel REF [LEAVE]                                   cancel an order down to LEAVE shares (default 0)
 *   replace REF QTY@PRICE [day|ioc]                      replace an order (new UserRefNum)
 *
 * CSV: a header line, then one order per line. Columns (any order, names case-insensitive):
 * symbol, side, qty, price (required); tif, userRefNum (optional). side: buy, sell, short,
 * exempt or B, S, T, E; tif: day, ioc, or the OUCH code (0, 3, 5, 6, E); price: dollars with
 * at most 4 decimals. Blank lines and lines starting with # are skipped.
 */
import { didYouMean } from '../config/nearest.ts';
import { RiskgateError } from '../errors.ts';

export type SendSide = 'B' | 'S' | 'T' | 'E';

export type SendAction =
  | { kind: 'enter'; side: SendSide; quantity: number; symbol: string; price: string; timeInForce: string; userRefNum?: number; where: string }
  | { kind: 'cancel'; userRefNum: number; leave: number; where: string }
  | { kind: 'replace'; origUserRefNum: number; quantity: number; price: string; timeInForce: string; where: string };

const SIDES: Record<string, SendSide> = { buy: 'B', sell: 'S', short: 'T', exempt: 'E', b: 'B', s: 'S', t: 'T', e: 'E' };
const TIFS: Record<string, string> = { day: '0', ioc: '3', '0': '0', '3': '3', '5': '5', '6': '6', e: 'E' };
const VERBS = ['buy', 'sell', 'short', 'exempt', 'cancel', 'replace'];
const PRICE = /^[0-9]{1,6}(?:\.[0-9]{1,4})?$/;
const SYMBOL = /^[\x21-\x60\x7b-\x7e]{1,8}$/;
const CSV_COLUMNS = ['symbol', 'side', 'qty', 'price', 'tif', 'userrefnum'];
const CSV_NAMES: Record<string, string> = { symbol: 'symbol', side: 'side', qty: 'qty', price: 'price', tif: 'tif', userrefnum: 'userRefNum' };

function bad(where: string, what: string): RiskgateError {
  return new RiskgateError('USAGE', `${where}: ${what}`);
}

function quantity(where: string, v: string, min = 1): number {
  if (!/^[0-9]{1,7}$/.test(v) || Number(v) < min || Number(v) > 999_999) throw bad(where, `quantity ${JSON.stringify(v)} must be an integer ${min}..999999`);
  return Number(v);
}

function ref(where: string, v: string): number {
  if (!/^[0-9]{1,10}$/.test(v) || Number(v) < 1 || Number(v) > 0xffffffff) throw bad(where, `UserRefNum ${JSON.stringify(v)} must be an integer 1..4294967295`);
  return Number(v);
}

function price(where: string, v: string): string {
  if (!PRICE.test(v) || !/[1-9]/.test(v)) throw bad(where, `price ${JSON.stringify(v)} must be dollars above 0 with at most 4 decimals (e.g. 187.25)`);
  return v;
}

function symbol(where: string, v: string): string {
  if (!SYMBOL.test(v)) throw bad(where, `symbol ${JSON.stringify(v)} must be 1-8 characters without spaces or lowercase`);
  return v;
}

function side(where: string, v: string): SendSide {
  const s = SIDES[v.toLowerCase()];
  if (!s) throw bad(where, `side ${JSON.stringify(v)} must be buy, sell, short or exempt (or B, S, T, E)`);
  return s;
}

function tif(where: string, v: string | undefined): string {
  if (v === undefined || v === '') return '0';
  const t = TIFS[v.toLowerCase()];
  if (!t) throw bad(where, `time in force ${JSON.stringify(v)} must be day, ioc or an OUCH code (0, 3, 5, 6, E)`);
  return t;
}

/** `SYM@PRICE` or `QTY@PRICE`. */
function at(where: string, v: string | undefined, what: string): [string, string] {
  const i = v?.lastIndexOf('@') ?? -1;
  if (v === undefined || i <= 0) throw bad(where, `expected ${what}, got ${JSON.stringify(v ?? '')}`);
  return [v.slice(0, i), v.slice(i + 1)];
}

/** The actions of the command line's positional arguments. */
export function parseCommandLineOrders(args: readonly string[]): SendAction[] {
  const out: SendAction[] = [];
  let i = 0;
  while (i < args.length) {
    const verb = args[i].toLowerCase();
    const where = `order ${out.length + 1} (argument ${i + 1}, ${JSON.stringify(args[i])})`;
    if (!VERBS.includes(verb)) throw bad(where, `expected one of ${VERBS.join(', ')}${didYouMean(verb, VERBS)}`);
    const next = (k: number) => args[i + k];
    const optTif = (k: number): [string, number] => {
      const v = next(k)?.toLowerCase();
      return v === 'day' || v === 'ioc' ? [TIFS[v], 1] : ['0', 0];
    };
    if (verb === 'cancel') {
      if (next(1) === undefined) throw bad(where, 'expected cancel REF [LEAVE]');
      const leaveArg = next(2) !== undefined && /^[0-9]+$/.test(next(2)) ? next(2) : undefined;
      out.push({ kind: 'cancel', userRefNum: ref(where, next(1)), leave: leaveArg === undefined ? 0 : quantity(where, leaveArg, 0), where });
      i += leaveArg === undefined ? 2 : 3;
    } else if (verb === 'replace') {
      if (next(1) === undefined) throw bad(where, 'expected replace REF QTY@PRICE [day|ioc]');
      const origUserRefNum = ref(where, next(1));
      const [q, p] = at(where, next(2), 'QTY@PRICE');
      const [t, n] = optTif(3);
      out.push({ kind: 'replace', origUserRefNum, quantity: quantity(where, q), price: price(where, p), timeInForce: t, where });
      i += 3 + n;
    } else {
      if (next(1) === undefined) throw bad(where, `expected ${verb} QTY SYMBOL@PRICE [day|ioc]`);
      const q = quantity(where, next(1));
      const [s, p] = at(where, next(2), 'SYMBOL@PRICE');
      const [t, n] = optTif(3);
      out.push({ kind: 'enter', side: side(where, verb), quantity: q, symbol: symbol(where, s), price: price(where, p), timeInForce: t, where });
      i += 3 + n;
    }
  }
  return out;
}

/** The orders of a CSV file's text (`file` names it in errors). */
export function parseCsvOrders(text: string, file: string): SendAction[] {
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const out: SendAction[] = [];
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    const where = `${file}:${n + 1}`;
    if (!header) {
      header = cells.map((c) => c.toLowerCase());
      header.forEach((h, k) => {
        if (!CSV_COLUMNS.includes(h)) throw bad(where, `unknown column ${JSON.stringify(cells[k])}${didYouMean(h, CSV_COLUMNS.map((c) => CSV_NAMES[c]))} (columns: ${CSV_COLUMNS.map((c) => CSV_NAMES[c]).join(', ')})`);
        if (header!.indexOf(h) !== k) throw bad(where, `column ${JSON.stringify(cells[k])} appears twice`);
      });
      for (const need of ['symbol', 'side', 'qty', 'price']) if (!header.includes(need)) throw bad(where, `the header has no ${need} column (required: symbol, side, qty, price)`);
      return;
    }
    if (cells.length !== header.length) throw bad(where, `${cells.length} cells, the header has ${header.length}`);
    const get = (c: string) => {
      const k = header!.indexOf(c);
      return k < 0 ? undefined : cells[k];
    };
    const userRef = get('userrefnum');
    out.push({
      kind: 'enter', side: side(where, get('side')!), quantity: quantity(where, get('qty')!), symbol: symbol(where, get('symbol')!),
      price: price(where, get('price')!), timeInForce: tif(where, get('tif')), userRefNum: userRef ? ref(where, userRef) : undefined, where,
    });
  });
  if (!header) throw bad(file, 'no header line (columns: symbol, side, qty, price[, tif, userRefNum])');
  return out;
}
