/**
 * The commands of `riskgate`: name, one-line summary, and a loader returning the command and
 * its help (built from the option object the command's parser uses; src/commands/help.ts).
 */
import type { CommandHelp } from './help.ts';

export type Command = (argv: string[]) => Promise<number>;
export interface LoadedCommand {
  run: Command;
  help: CommandHelp;
}

export const COMMANDS: Record<string, { summary: string; load: () => Promise<LoadedCommand> }> = {
  replay: { summary: 'replay a recorded session through an engine and print the report', load: async () => { const m = await import('./replay.ts'); return { run: m.replayCommand, help: m.help }; } },
  book: { summary: 'write the top-of-book time series of some symbols as CSV', load: async () => { const m = await import('./book.ts'); return { run: m.bookCommand, help: m.help }; } },
  inspect: { summary: 'count messages by type, list the directory, time range and problems', load: async () => { const m = await import('./inspect.ts'); return { run: m.inspectCommand, help: m.help }; } },
  decode: { summary: 'print a raw record file (replay --out x.bin) as text', load: async () => { const m = await import('./decode.ts'); return { run: m.decodeCommand, help: m.help }; } },
  hwreport: { summary: 'latency (cycles) and throughput of the hardware path on a session', load: async () => { const m = await import('./hwreport.ts'); return { run: m.hwreportCommand, help: m.help }; } },
  gen: { summary: 'generate a seeded, realistic ITCH 5.0 session', load: async () => { const m = await import('./gen.ts'); return { run: m.genCommand, help: m.help }; } },
  pcap: { summary: 'write a session as a pcap capture of Ethernet/IPv4/UDP frames, with bad frames on request', load: async () => { const m = await import('./pcap.ts'); return { run: m.pcapCommand, help: m.help }; } },
  publish: { summary: 'publish a recorded session on Kafka as MoldUDP64 packets', load: async () => { const m = await import('./publish.ts'); return { run: m.publishCommand, help: m.help }; } },
  // issue 11: an exchange's MoldUDP64 feed over UDP in front of Kafka (src/udp/)
  'feed-sim': { summary: 'serve a recorded session as a MoldUDP64 UDP feed with faults and a request server', load: async () => { const m = await import('./feed-sim.ts'); return { run: m.feedSimCommand, help: m.help }; } },
  listen: { summary: 'receive a MoldUDP64 UDP feed, recover gaps and publish it on Kafka, exactly once', load: async () => { const m = await import('./listen.ts'); return { run: m.listenCommand, help: m.help }; } },
  run: { summary: 'run the engine on the Kafka feed; executions and decisions to Kafka, exactly once', load: async () => { const m = await import('./run.ts'); return { run: m.runCommand, help: m.help }; } },
  clear: { summary: 'run N clearing worker processes over Kafka, exactly once', load: async () => { const m = await import('./clear.ts'); return { run: m.clearCommand, help: m.help }; } },
  loadgen: { summary: 'publish synthetic Zipf-skewed executions to Kafka', load: async () => { const m = await import('./loadgen.ts'); return { run: m.loadgenCommand, help: m.help }; } },
  settle: { summary: 'end-of-day settlement report and reconciliation from Kafka', load: async () => { const m = await import('./settle.ts'); return { run: m.settleCommand, help: m.help }; } },
  // issue 13: a venue to send orders to, and a manual OUCH client (src/venue/, src/send/)
  'venue-sim': { summary: 'an OUCH 5.0 venue whose orders execute against the book of a replayed session', load: async () => { const m = await import('./venue-sim.ts'); return { run: m.venueSimCommand, help: m.help }; } },
  gateway: { summary: 'the order-entry gateway: client orders checked by the engine at the replay\'s position, forwarded to a venue', load: async () => { const m = await import('./gateway.ts'); return { run: m.gatewayCommand, help: m.help }; } },
  send: { summary: 'send orders over OUCH 5.0 from the command line or a CSV file and print the answers', load: async () => { const m = await import('./send.ts'); return { run: m.sendCommand, help: m.help }; } },
  // Runtime controls: call the API of a running `replay --serve` (src/control/commands.ts).
  kill: { summary: 'set or release the global or a symbol kill switch of a running replay --serve', load: async () => { const m = await import('../control/commands.ts'); return { run: m.killCommand, help: m.killHelp }; } },
  limit: { summary: 'change a risk limit of a running replay --serve', load: async () => { const m = await import('../control/commands.ts'); return { run: m.limitCommand, help: m.limitHelp }; } },
};
