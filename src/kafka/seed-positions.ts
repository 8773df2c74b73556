/**
 * `run --seed-positions`: start-of-day positions from the compacted positions topic the
 * clearing workers keep (docs/spec.md §14.2), one per configured symbol and its account.
 */
import type { Admin } from 'kafkajs';
import type { PositionJson } from '../clearing/ledger.ts';
import type { Config } from '../config/index.ts';
import { RiskgateError } from '../errors.ts';
import type { KafkaClient } from './client.ts';
import { readToEnd } from './read-topic.ts';

/** Largest position a config can start with (spec §10, |start_position| ≤ 2^31−1). */
const MAX_START_POSITION = 0x7fffffff;

/**
 * Sets `config`'s start positions from the latest positions of `topic` (symbols without one
 * keep theirs); returns the positions set by symbol and the records read.
 */
export async function seedPositions(kafka: KafkaClient, admin: Admin, topic: string, config: Config): Promise<{ symbols: Record<string, number>; records: number }> {
  const latest = new Map<string, PositionJson>();
  if ((await admin.listTopics()).includes(topic)) {
    await readToEnd(kafka, admin, topic, (_p, m) => {
      const k = m.key?.toString();
      if (!k) return;
      if (!m.value) latest.delete(k);
      else latest.set(k, JSON.parse(m.value.toString()) as PositionJson);
    });
  }
  const symbols: Record<string, number> = {};
  for (const s of config.symbols) {
    const acct = config.accounts[s.account]?.id;
    const p = latest.get(`${acct}:${s.symbol}`);
    if (!p) continue;
    if (!Number.isSafeInteger(p.position) || Math.abs(p.position) > MAX_START_POSITION) {
      throw new RiskgateError('CONFIG_INVALID', `seed position of ${acct}:${s.symbol} (${p.position}) is out of range`);
    }
    s.startPosition = p.position;
    symbols[s.symbol] = p.position;
  }
  return { symbols, records: latest.size };
}
