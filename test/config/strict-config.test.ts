/**
 * Issue 10, "a config typo silently switches a check off" and "config values are rounded or
 * accepted silently": the config is checked against one strict schema (config/schema.json),
 * unknown keys are refused with the nearest valid name, every limit is required, switches
 * left out take their safe value, numbers and money are exact or refused, symbols are ITCH's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { configBlob, loadConfig, parseConfig, parseConfigText } from '../../src/config/index.ts';
import { decimalToUnits, unitsToDollars } from '../../src/config/decimal.ts';
import { editDistance, nearestNames } from '../../src/config/nearest.ts';
import { CONFIG_SCHEMA, schemaJson } from '../../src/config/schema.ts';
import { CONFIG } from '../../src/contract.ts';
import { riskgate, riskgateJson } from '../cli/run-cli.ts';

const ROOT = new URL('../../', import.meta.url);
const DEFAULT = JSON.parse(readFileSync(new URL('config/default.json', ROOT), 'utf8'));
const DEMO = new URL('data/demo.itch.gz', ROOT).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-config-'));
});

/** The default config with a change applied. */
function variant(change: (j: any) => void): any {
  const j = structuredClone(DEFAULT);
  change(j);
  return j;
}

/** The problems parseConfig lists for a config, one string per problem ([] when valid). */
function problems(json: unknown): string[] {
  try {
    parseConfigText(typeof json === 'string' ? json : JSON.stringify(json), 'test');
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
}

function writeConfig(name: string, json: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return p;
}

describe('a config typo is refused, never a check silently off', () => {
  it('gateMarketHour (missing s) ends replay with exit 5 naming the key and the nearest valid name', () => {
    const cfg = writeConfig('typo.json', variant((j) => {
      delete j.gateMarketHours;
      j.gateMarketHour = true;
    }));
    const r = riskgate(['replay', DEMO, '--config', cfg]);
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('CONFIG_INVALID');
    expect(r.stderr).toContain('config: unknown key "gateMarketHour" (did you mean "gateMarketHours"?)');
  });

  it('unknown keys are refused at every level, all listed at once, each with its nearest name', () => {
    const p = problems(variant((j) => {
      j.symbols[0].maxQtty = 10;
      j.strategy.clipqty = 5;
      j.accounts[1].creditLimt = '5.00';
      j.fees.perShares = '0.001';
      j.symbolDefaults.colarBps = 3;
    }));
    expect(p).toEqual(expect.arrayContaining([
      'config.symbols[0]: unknown key "maxQtty" (did you mean "maxQty"?)',
      'config.strategy: unknown key "clipqty" (did you mean "clipQty"?)',
      'config.accounts[1]: unknown key "creditLimt" (did you mean "creditLimit"?)',
      'config.fees: unknown key "perShares" (did you mean "perShare"?)',
      'config.symbolDefaults: unknown key "colarBps" (did you mean "collarBps"?)',
    ]));
    expect(p).toHaveLength(5);
    // nothing near: the valid keys are listed instead
    expect(problems(variant((j) => (j.strategy.zzzzzz = 1)))).toEqual([expect.stringMatching(/^config\.strategy: unknown key "zzzzzz" \(valid keys here: imbalanceNum, imbalanceDen, cooldownNs, maxSpread, clipQty\)$/)]);
  });

  it('every risk limit is required: a limit left out is an error, not a default', () => {
    const p = problems(variant((j) => {
      for (const k of ['maxQty', 'maxNotional', 'positionLimit', 'collarBps', 'account']) delete j.symbols[2][k];
      for (const k of ['creditLimit', 'maxOrdersPerWindow']) delete j.accounts[0][k];
    }));
    for (const k of ['maxQty', 'maxNotional', 'positionLimit', 'collarBps', 'account']) expect(p).toContain(`config.symbols[2]: required key "${k}" is missing`);
    for (const k of ['creditLimit', 'maxOrdersPerWindow']) expect(p).toContain(`config.accounts[0]: required key "${k}" is missing`);
  });

  it('risk switches left out take their safe values: market hours gated, a 1 s duplicate window, no kill', () => {
    const cfg = parseConfig(variant((j) => {
      delete j.gateMarketHours;
      delete j.globalKill;
      for (const a of j.accounts) delete a.duplicateWindowNs;
    }));
    expect(cfg.gateMarketHours).toBe(true);
    expect(cfg.accounts.map((a) => a.duplicateWindowNs)).toEqual([1_000_000_000n, 1_000_000_000n, 1_000_000_000n]);
    expect(configBlob(cfg)[CONFIG.header.gate_market_hours]).toBe(1);
    // the defaults are the schema's (what docs/config.md and editors show)
    expect((CONFIG_SCHEMA as any).properties.gateMarketHours.default).toBe(true);
    expect((CONFIG_SCHEMA as any).properties.accounts.items.properties.duplicateWindowNs.default).toBe(1_000_000_000);
  });

  it('gateMarketHours left out gates market hours on the demo as written out does (MARKET_CLOSED rejections, same records)', () => {
    const omitted = riskgateJson(['replay', DEMO, '--config', writeConfig('omitted.json', variant((j) => delete j.gateMarketHours))]);
    const explicit = riskgateJson(['replay', DEMO]);
    expect(omitted.status).toBe(0);
    expect(omitted.json.rejectReasons.MARKET_CLOSED).toBeGreaterThan(0);
    expect(omitted.json.recordsSha256).toBe(explicit.json.recordsSha256);
  });

  it('config/schema.json is the schema parseConfig uses, config/default.json points editors at it, and a plain JSON Schema validator refuses a typo', () => {
    expect(readFileSync(new URL('config/schema.json', ROOT), 'utf8')).toBe(schemaJson());
    expect(DEFAULT.$schema).toBe('./schema.json');
    // an editor knows nothing of riskgate: a generic draft-07 validator, unknown keywords ignored
    const generic = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(new URL('config/schema.json', ROOT), 'utf8')));
    expect(generic(structuredClone(DEFAULT))).toBe(true);
    expect(generic(variant((j) => (j.symbols[0].maxQtty = 1)))).toBe(false);
    expect(generic(variant((j) => (j.fees.perShare = '0.00035')))).toBe(false);
    expect(generic(variant((j) => (j.symbols[0].symbol = 'aapl')))).toBe(false);
  });

  it('docs/config.md documents every key of the schema with its default', () => {
    const doc = readFileSync(new URL('docs/config.md', ROOT), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    const walk = (s: any, prefix: string): [string, unknown, boolean][] => {
      const out: [string, unknown, boolean][] = [];
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) {
        if (k.startsWith('$')) continue;
        const name = `${prefix}${k}`;
        out.push([name, v.default, (s.required ?? []).includes(k)]);
        if (v.type === 'object') out.push(...walk(v, `${name}.`));
        if (v.type === 'array') out.push(...walk(v.items, `${name}[].`));
      }
      return out;
    };
    for (const [key, dflt, required] of walk(CONFIG_SCHEMA, '')) {
      const row = rows.find((l) => l.startsWith(`| \`${key}\` |`));
      expect(row, `docs/config.md has no row for ${key}`).toBeDefined();
      if (dflt !== undefined && typeof dflt !== 'object') {
        const shown = typeof dflt === 'string' ? `"${dflt}"` : typeof dflt === 'number' ? dflt.toLocaleString('en-US') : String(dflt);
        expect(row!.includes(`\`${shown}\``) || row!.includes(`\`${String(dflt)}\``), `${key}: default ${shown} not shown in: ${row}`).toBe(true);
      } else if (required) {
        expect(row, `${key} is required: docs/config.md must say so`).toMatch(/^\| `[^`]+` \| [^|]+ \| required \|/);
      } else if (dflt === undefined) {
        expect(row, `${key} is optional without a default: docs/config.md must say what its absence means`).toMatch(/^\| `[^`]+` \| [^|]+ \| none[^|]*\|/);
      }
    }
  });
});

describe('config values are exact or refused, with explicit ranges', () => {
  it('an amount with 21 significant digits is refused, not rounded to 10000000000000000000 units', () => {
    expect(problems(variant((j) => (j.accounts[0].creditLimit = '999999999999999.999999')))).toEqual([
      'config.accounts[0].creditLimit: "999999999999999.999999" has 6 decimal places; at most 4 are allowed',
    ]);
    // 20 significant digits at the edge of u64 are kept exactly
    const max = parseConfig(variant((j) => (j.accounts[0].creditLimit = '1844674407370955.1615')));
    expect(max.accounts[0].creditLimit).toBe((1n << 64n) - 1n);
    expect(problems(variant((j) => (j.accounts[0].creditLimit = '1844674407370955.1616')))).toEqual([
      'config.accounts[0].creditLimit: "1844674407370955.1616" is too large: at most 1844674407370955.1615 dollars',
    ]);
    expect(parseConfig(variant((j) => (j.symbols[0].maxNotional = '123456789012.3456'))).symbols[0].maxNotional).toBe(1234567890123456n);
  });

  it('fees: more than 4 decimals, an exponent or an absurd amount is refused', () => {
    const p = problems(variant((j) => {
      j.fees.perShare = '0.00035';
      j.fees.minPerExecution = '1e60';
    }));
    expect(p).toEqual([
      'config.fees.perShare: "0.00035" has 5 decimal places; at most 4 are allowed',
      expect.stringMatching(/^config\.fees\.minPerExecution: "1e60" is not a plain non-negative decimal/),
    ]);
    expect(problems(variant((j) => (j.fees.minPerExecution = '1000000000000000000000000000000000000000000000000000000000000')))).toEqual([
      'config.fees.minPerExecution: "1000000000000000000000000000000000000000000000000000000000000" is too large: at most 1000 dollars',
    ]);
    expect(problems(variant((j) => (j.fees.perShare = '1.0001')))).toEqual(['config.fees.perShare: "1.0001" is too large: at most 1 dollars']);
    const ok = parseConfig(variant((j) => (j.fees.perShare = '0.0035')));
    expect(ok.fees.perShare.toString()).toBe('0.0035');
  });

  it('tickSize out of range gives one message with the whole range', () => {
    for (const t of ['7', '0', '0.00001']) {
      const p = problems(variant((j) => (j.tickSize = t)));
      expect(p, t).toHaveLength(1);
    }
    expect(problems(variant((j) => (j.tickSize = '7')))).toEqual(['config.tickSize: "7" is out of range: 0.0001 to 6.5535 dollars']);
    expect(problems(variant((j) => (j.tickSize = '0')))).toEqual(['config.tickSize: "0" is out of range: 0.0001 to 6.5535 dollars']);
    expect(parseConfig(variant((j) => (j.tickSize = '6.5535'))).tick).toBe(65535);
    expect(parseConfig(variant((j) => (j.tickSize = '0.0001'))).tick).toBe(1);
  });

  it('integers keep to the engine formats (u32, i31, u16) and are exact as written: no 1e3, 10.0 or 2^53', () => {
    expect(problems(variant((j) => (j.symbols[0].maxQty = 4294967296)))).toEqual(['config.symbols[0].maxQty: 4294967296 is out of range [0, 4294967295]']);
    expect(problems(variant((j) => (j.symbols[0].positionLimit = 2147483648)))).toEqual(['config.symbols[0].positionLimit: 2147483648 is out of range [0, 2147483647]']);
    expect(problems(variant((j) => (j.symbols[0].collarBps = 65536)))).toEqual(['config.symbols[0].collarBps: 65536 is out of range [0, 65535]']);
    expect(parseConfig(variant((j) => (j.symbols[0].maxQty = 4294967295))).symbols[0].maxQty).toBe(4294967295);
    const text = JSON.stringify(DEFAULT, null, 1)
      .replace('"maxQty": 2000', '"maxQty": 2e3')
      .replace('"positionLimit": 6000', '"positionLimit": 6000.0')
      .replace('"cooldownNs": 1000000', '"cooldownNs": 9007199254740993');
    const p = problems(text);
    expect(p).toHaveLength(3);
    expect(p[0]).toMatch(/^config\.strategy\.cooldownNs: 9007199254740993 is not a whole number written in plain digits/);
    expect(p.some((l) => l.startsWith('config.symbols[0].maxQty: 2e3 is not a whole number'))).toBe(true);
    expect(p.some((l) => l.startsWith('config.symbols[0].positionLimit: 6000.0 is not a whole number'))).toBe(true);
    // JSON.parse would keep the last of two equal keys: refused
    expect(() => parseConfigText('{"session": 1, "session": 2}', 'dup')).toThrow(/Duplicate key 'session'.*line 1/);
  });

  it('money must be a decimal string: a JSON number is refused even when whole', () => {
    expect(problems(variant((j) => (j.symbols[0].maxNotional = 250000)))).toEqual([
      'config.symbols[0].maxNotional: expected a non-negative decimal string of dollars such as "1000.00" (quoted: a JSON number is a binary float and can lose cents), got 250000',
    ]);
  });

  it('symbols are ITCH symbols, case-sensitive: "aapl" is refused with its uppercase, "aapl" and "AAPL" together twice', () => {
    const p = problems(variant((j) => (j.symbols[1].symbol = 'aapl')));
    expect(p).toEqual([
      'config.symbols[1].symbol: "aapl" is not an ITCH stock symbol: 1-8 characters, uppercase letters, digits or punctuation, no spaces (symbols are case-sensitive as in ITCH; did you mean "AAPL"?)',
      'config.symbols[1].symbol: "aapl" and "AAPL" name one ITCH symbol (symbols are case-sensitive uppercase as in ITCH) (config.symbols[0])',
    ]);
    expect(problems(variant((j) => (j.symbols[1].symbol = 'AAPL')))).toEqual(['config.symbols[1].symbol: "AAPL" is listed twice (config.symbols[0])']);
    for (const bad of ['TOOLONGNAME', 'A B', '', 'ÄPFEL']) expect(problems(variant((j) => (j.symbols[0].symbol = bad))), bad).toHaveLength(1);
    // real ITCH symbols with punctuation (the NASDAQ sample's directory has ABR-A, ACEL+, AGM.A, ALL-A*, ALUS=)
    for (const good of ['ABR-A', 'ACEL+', 'AGM.A', 'ALL-A*', 'ALUS=', 'BRK.B', 'A']) expect(problems(variant((j) => (j.symbols[0].symbol = good))), good).toEqual([]);
  });

  it('an unknown account reference names the nearest account', () => {
    expect(problems(variant((j) => (j.symbols[3].account = 'BRAVOO')))).toEqual(['config.symbols[3].account: unknown account "BRAVOO" (did you mean "BRAVO"?)']);
  });

  it('exact decimal helpers: digits in, digits out, nothing rounded', () => {
    expect(decimalToUnits('0.01')).toEqual({ ok: true, units: 100n });
    expect(decimalToUnits('18446744073709551615')).toEqual({ ok: true, units: 184467440737095516150000n });
    expect(decimalToUnits('1.00000').ok).toBe(false);
    expect(decimalToUnits(' 1').ok).toBe(false);
    expect(decimalToUnits('-1').ok).toBe(false);
    expect(decimalToUnits('.5').ok).toBe(false);
    expect(unitsToDollars(4000000000n)).toBe('400000.00');
    expect(unitsToDollars(12345678n)).toBe('1234.5678');
    expect(unitsToDollars((1n << 64n) - 1n)).toBe('1844674407370955.1615');
    expect(editDistance('gateMarketHour', 'gateMarketHours')).toBe(1);
    expect(editDistance('clipqyt', 'clipqty')).toBe(1); // a transposition costs 1
    expect(nearestNames('clipqty', ['clipQty', 'cooldownNs'])).toEqual(['clipQty']);
  });

  it('the default config and the golden vectors\' base config pass the strict schema', () => {
    expect(() => loadConfig()).not.toThrow();
    expect(() => loadConfig(new URL('test/vectors/configs/one-symbol.json', ROOT).pathname)).not.toThrow();
  });
});
