/**
 * `riskgate run --shard K/N` (docs/spec.md §14.9): which accounts, and so which symbols, a
 * shard owns, and which of the engine's records it publishes.
 *
 * Every shard runs the whole config over the whole feed and publishes only the outputs of its
 * own accounts. The engine state that is not per account or per symbol — the order table all
 * subscribed symbols share (§5: its COLLISION flags depend on every symbol's orders), the
 * global kill switch, market hours, in-band controls bound to the whole config's fingerprint
 * (§9) — is then the same in every shard as in one engine, so each account's decisions and
 * executions are exactly those of a single engine, whatever the feed.
 */
import type { Config } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import { RecordKind } from '../records/layout.ts';
import { RecordField, RecordHeader } from '../contract.ts';

/** Largest N: one account per shard at most (MAX_ACCOUNTS bounds the config). */
export const MAX_SHARDS = 255;

export interface ShardSpec {
  /** 1-based shard number. */
  k: number;
  n: number;
}

/** `K/N` with 1 ≤ K ≤ N, decimal without sign or leading zeros; anything else is refused. */
export function parseShard(text: string): ShardSpec {
  const bad = (why: string) => new RiskgateError('USAGE', `--shard ${JSON.stringify(text)}: ${why}`);
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  if (!m) throw bad('expected K/N, two whole numbers with 1 ≤ K ≤ N (e.g. --shard 1/2)');
  if (/^0\d/.test(m[1]) || /^0\d/.test(m[2])) throw bad('write K and N without leading zeros');
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1) throw bad('N must be at least 1');
  if (n > MAX_SHARDS) throw bad(`N must be at most ${MAX_SHARDS}`);
  if (k < 1) throw bad(`shards are numbered from 1: use 1..${n}`);
  if (k > n) throw bad(`shard ${k} does not exist: shards are numbered 1..${n}`);
  return { k, n };
}

export const shardLabel = (s: ShardSpec): string => `${s.k}/${s.n}`;

/** The default run group of a shard: its own consumer group, transactional id, journal and snapshot key. */
export function shardGroup(prefix: string, s: ShardSpec): string {
  return `${prefix}.run.shard-${s.k}-of-${s.n}`;
}

/** The shard (1-based) that owns the account at config index `j`: round robin over the config's order. */
export function shardOfAccount(j: number, n: number): number {
  return (j % n) + 1;
}

/** What one shard owns in a config. */
export interface ShardPlan extends ShardSpec {
  /** Per config account index: owned by this shard. */
  ownsAccount: boolean[];
  accounts: number[];
  symbols: string[];
}

/**
 * The plan of shard `s` under `config`. A config with fewer accounts than shards is refused:
 * a shard that owns nothing would publish nothing and look healthy.
 */
export function shardPlan(config: Config, s: ShardSpec): ShardPlan {
  if (config.accounts.length < s.n) {
    throw new RiskgateError(
      'CONFIG_INVALID',
      `--shard ${shardLabel(s)}: the config has ${config.accounts.length} account${config.accounts.length === 1 ? '' : 's'}, ` +
        `so it cannot be split into ${s.n} shards (shards own whole accounts; use N ≤ ${config.accounts.length})`,
    );
  }
  const ownsAccount = config.accounts.map((_, j) => shardOfAccount(j, s.n) === s.k);
  return {
    ...s,
    ownsAccount,
    accounts: config.accounts.filter((_, j) => ownsAccount[j]).map((a) => a.id),
    symbols: config.symbols.filter((sym) => ownsAccount[sym.account]).map((sym) => sym.symbol),
  };
}

const KIND = RecordHeader.kind;
/** Where DECISION and FILL records carry their account index (spec §11: bytes 27 and 29). */
const DECISION_ACCOUNT = RecordField.DECISION.account_index;
const FILL_ACCOUNT = RecordField.FILL.account_index;

/**
 * Whether shard `plan` publishes the record at `off`: its own accounts' DECISION and FILL
 * records, and every CONTROL record (each shard's decision stream shows every control its
 * engine applied, the global kill switch included). Without a plan, everything.
 */
export function publishes(plan: ShardPlan | null, records: Buffer, off: number): boolean {
  if (!plan) return true;
  const kind = records[off + KIND];
  if (kind === RecordKind.DECISION) return plan.ownsAccount[records[off + DECISION_ACCOUNT]] === true;
  if (kind === RecordKind.FILL) return plan.ownsAccount[records[off + FILL_ACCOUNT]] === true;
  return true;
}

