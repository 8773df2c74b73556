/**
 * `riskgate hwreport <file> [--config f] [--per-packet N] [--json]`: latency and throughput of
 * the hardware path (the Verilated pipeline) on a session: tick-to-trade in cycles from the
 * beat holding the last byte of the triggering message to the first beat of its record (and
 * from the message's first offered beat), at the 10 GbE offer rate (a beat on 5 of every 8
 * cycles); cycles per message fed as fast as accepted; cycles with tready low; simulation
 * speed. The session is held in memory (the model runs ~10^5 messages a second).
 */
import { parseArgs } from 'node:util';
import { progressBar } from '../progress.ts';
import { configBlob, loadConfig } from '../config/index.ts';
import { hwReport } from '../fpga/report.ts';
import { latencyTimes } from '../fpga/clock.ts';
import { readBatches } from '../source/file.ts';
import { ProblemLog } from '../source/problems.ts';
import { checkInput } from '../source/file.ts';
import { usageError } from './usage.ts';
import { checkItch } from '../source/sniff.ts';
import { CONFIG_HELP, helpFor, JSON_HELP } from './help.ts';

const USAGE = 'usage: riskgate hwreport <file> [--config f] [--per-packet N] [--json]';

export const HWREPORT_OPTIONS = { config: { type: 'string' }, 'per-packet': { type: 'string' }, json: { type: 'boolean' } } as const;

export const help = helpFor(USAGE, HWREPORT_OPTIONS, {
  config: CONFIG_HELP,
  'per-packet': '<N> ITCH messages per MoldUDP64 packet fed to the pipeline, 1..1000 (default 8)',
  json: JSON_HELP,
});

export async function hwreportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: HWREPORT_OPTIONS });
  if (positionals.length !== 1) throw usageError(USAGE);
  const file = positionals[0];
  checkInput(file);
  await checkItch(file);
  const perPacket = values['per-packet'] === undefined ? 8 : Number(values['per-packet']);
  if (!Number.isInteger(perPacket) || perPacket < 1 || perPacket > 1000) throw usageError('--per-packet must be an integer in 1..1000');
  const config = loadConfig(values.config);
  const parts: Buffer[] = [];
  for await (const b of readBatches(file, { problems: new ProblemLog(), batchFrames: 65536 })) parts.push(Buffer.from(b.frames));
  // On a terminal, a bar per pass: the Verilated card runs at ~100k messages/s.
  const bars = { throughput: progressBar(`hwreport: throughput pass over ${file}`), latency: progressBar(`hwreport: latency pass over ${file}`) };
  const r = hwReport(configBlob(config), Buffer.concat(parts), {
    messagesPerPacket: perPacket,
    onProgress: bars.throughput
      ? (pass, done, total) => {
          bars[pass]?.update(done, total);
          if (done === total) bars[pass]?.done();
        }
      : undefined,
  });
  const time = latencyTimes(r.cycles);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ file, ...r, decisionTime: time })}\n`);
    return 0;
  }
  const p = (x: { min: number; p50: number; p99: number; max: number }) => `min ${x.min}  p50 ${x.p50}  p99 ${x.p99}  max ${x.max}`;
  process.stdout.write(
    [
      `riskgate hwreport — ${file} (${r.messagesPerPacket} messages per MoldUDP64 packet)`,
      `messages        ${r.messages.toLocaleString('en-US')}, decisions ${r.decisions.toLocaleString('en-US')}, records ${r.records.toLocaleString('en-US')}`,
      `tick-to-trade   decision cycles from the last byte's beat (5-of-8 offer): ${p(r.cycles)}`,
      `                from the message's first offered beat:              ${p(r.cyclesFromFirstBeat)}`,
      `                first record of each message:                        ${p(r.recordCycles)}`,
      ...(r.orderCycles.n > 0 ? [`                ${'ORDER records, from the frame\'s last byte:'.padEnd(53)}${p(r.orderCycles)} (${r.orderCycles.n.toLocaleString('en-US')} records)`] : []),
      `                decision in time: p50 ${time.u250Estimate.p50Ns.toFixed(0)} ns, p99 ${time.u250Estimate.p99Ns.toFixed(0)} ns at ${time.u250Estimate.mhz} MHz (U250 estimate, not placed and routed);`,
      `                at least p50 ${time.ecp5AtLeast.p50Ns.toFixed(0)} ns, p99 ${time.ecp5AtLeast.p99Ns.toFixed(0)} ns on the ECP5-85 -8 (the top is not routed; its slowest MoldUDP64-path stage, ${time.ecp5AtLeast.stage} alone, ${time.ecp5AtLeast.mhz} MHz after routing)`,
      `throughput      ${r.cyclesPerMessage.toFixed(2)} cycles/message fed as fast as accepted; ${r.cyclesPerMessageAtLineRate.toFixed(2)} at the 5-of-8 offer rate`,
      `back-pressure   tready low ${(r.treadyLowShare * 100).toFixed(3)}% of cycles, ${r.stallCycles} cycles a beat waited`,
      `simulation      ${Math.round(r.simulatedCyclesPerSecond).toLocaleString('en-US')} cycles/s, ${Math.round(r.simulatedMessagesPerSecond).toLocaleString('en-US')} messages/s of wall clock`,
    ].join('\n') + '\n',
  );
  return 0;
}
