/**
 * The `riskgate` command line. Each command lives in src/commands/<name>.ts and returns its
 * exit code; coded errors end the run with the exit status listed in the README.
 */
import { CodedError, ExitCode } from './errors.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  replay: { summary: 'replay a recorded session through an engine and print the report', load: async () => (await import('./commands/replay.ts')).replayCommand },
  book: { summary: 'write the top-of-book time series of some symbols as CSV', load: async () => (await import('./commands/book.ts')).bookCommand },
  inspect: { summary: 'count messages by type, list the directory, time range and problems', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  decode: { summary: 'print a raw record file (replay --out x.bin) as text', load: async () => (await import('./commands/decode.ts')).decodeCommand },
  hwreport: { summary: 'latency (cycles) and throughput of the hardware path on a session', load: async () => (await import('./commands/hwreport.ts')).hwreportCommand },
  gen: { summary: 'generate a seeded, realistic ITCH 5.0 session', load: async () => (await import('./commands/gen.ts')).genCommand },
  publish: { summary: 'publish a recorded session on Kafka as MoldUDP64 packets', load: async () => (await import('./commands/publish.ts')).publishCommand },
  run: { summary: 'run the engine on the Kafka feed; executions and decisions to Kafka, exactly once', load: async () => (await import('./commands/run.ts')).runCommand },
  clear: { summary: 'run N clearing worker processes over Kafka, exactly once', load: async () => (await import('./commands/clear.ts')).clearCommand },
  loadgen: { summary: 'publish synthetic Zipf-skewed executions to Kafka', load: async () => (await import('./commands/loadgen.ts')).loadgenCommand },
  settle: { summary: 'end-of-day settlement report and reconciliation from Kafka', load: async () => (await import('./commands/settle.ts')).settleCommand },
  // Runtime controls: call the API of a running `replay --serve` (src/control/commands.ts).
  kill: { summary: 'set or release the global or a symbol kill switch of a running replay --serve', load: async () => (await import('./control/commands.ts')).killCommand },
  limit: { summary: 'change a risk limit of a running replay --serve', load: async () => (await import('./control/commands.ts')).limitCommand },
};

function help(): string {
  const lines = ['usage: riskgate <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `riskgate <command> --help` for its options. Exit codes are listed in the README.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? ExitCode.OK : ExitCode.USAGE;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`riskgate: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return ExitCode.USAGE;
  }
  try {
    const run = await cmd.load();
    return await run(rest);
  } catch (e) {
    if (e instanceof CodedError) {
      process.stderr.write(`riskgate ${name}: ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error & { code?: string };
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`riskgate ${name}: USAGE: ${err.message}\n`);
      return ExitCode.USAGE;
    }
    process.stderr.write(`riskgate ${name}: internal error: ${err.stack ?? err.message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
