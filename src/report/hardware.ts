/**
 * The hardware section of a replay report (backend fpga or shadow): tick-to-trade in cycles
 * from the card's latency stamps (a side channel, never part of the compared records),
 * cycles per message, cycles with tready low, and simulation speed.
 */
import { FpgaEngine } from '../fpga/engine.ts';
import { percentiles, stampLatencies } from '../fpga/report.ts';
import { ShadowEngine } from '../engine/shadow.ts';
import type { Engine } from '../engine/types.ts';

/** The Verilator-backed engine inside `engine`, if there is one. */
export function fpgaOf(engine: Engine): FpgaEngine | undefined {
  if (engine instanceof FpgaEngine) return engine;
  if (engine instanceof ShadowEngine && engine.shadow instanceof FpgaEngine) return engine.shadow;
  return undefined;
}

export function hardwareSection(fpga: FpgaEngine, messages: number, wallNs: number): Record<string, unknown> {
  const lat = stampLatencies(fpga.takeStamps());
  const c = fpga.counters();
  return {
    note: 'cycles of the Verilated pipeline fed as fast as it accepts (offer 1/1); `riskgate hwreport` also measures at the 10 GbE offer rate (5 of 8 cycles)',
    cycles: percentiles(lat.decision),
    cyclesFromFirstBeat: percentiles(lat.decisionFromFirstBeat),
    firstRecordCycles: percentiles(lat.firstRecord),
    cyclesPerMessage: messages ? c.cycles / messages : 0,
    treadyLowShare: c.cycles ? c.treadyLowCycles / c.cycles : 0,
    simulatedCycles: c.cycles,
    simulatedCyclesPerSecond: wallNs > 0 ? c.cycles / (wallNs / 1e9) : 0,
    simulatedMessagesPerSecond: wallNs > 0 ? messages / (wallNs / 1e9) : 0,
  };
}

export function formatHardwareSection(h: Record<string, any>): string {
  const p = (x: any) => `min ${x.min}  p50 ${x.p50}  p99 ${x.p99}  max ${x.max}`;
  return [
    '',
    `hardware      tick-to-trade (decision) cycles from the last byte's beat: ${p(h.cycles)}`,
    `              from the message's first offered beat: ${p(h.cyclesFromFirstBeat)}`,
    `              ${h.cyclesPerMessage.toFixed(2)} cycles/message, tready low ${(h.treadyLowShare * 100).toFixed(2)}% of cycles`,
    `              simulated ${Math.round(h.simulatedCyclesPerSecond).toLocaleString('en-US')} cycles/s, ${Math.round(h.simulatedMessagesPerSecond).toLocaleString('en-US')} msg/s (Verilator)`,
  ].join('\n');
}
