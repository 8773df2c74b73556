/**
 * The README and docs/exports.md match the behaviour: every command they show is run here.
 *
 * - Each line of a fenced `sh` block is a command (a trailing `# comment` is dropped).
 * - Each row of the README's CLI table is a synopsis: it runs once with only its required
 *   arguments, then once per optional group and per alternative (`a|b`), so every documented
 *   option and value is exercised. Placeholders (`<file>`, `N`, `f`, …) get concrete values.
 *
 * Commands run from a scratch directory holding links to data/ and config/, with `riskgate`
 * being this checkout's bin/riskgate.js. A few commands are allow-listed, each with its reason
 * (and every entry must still appear in the docs, so the list cannot go stale).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../src/export/tables.ts';
import { BIN, ROOT } from './cli/run-cli.ts';

/** Commands (or synopsis variants) not run, and why. */
const ALLOWED: Record<string, string> = {
  'npm test': 'the whole suite, this file included: CI runs it as its own step',
  'npm run demo': "runs scripts/bootstrap.sh (apt, npm ci, cargo, verilator) before its replay; the test checks package.json's demo script is exactly that and runs the replay",
  'npm pack': 'packs the checkout: scripts/pack-install.sh (CI step "package") runs these three lines in a temporary prefix',
  'npm i -g ./riskgate-0.1.0.tgz': 'installs globally: scripts/pack-install.sh (CI step "package") does it into a temporary prefix',
  'riskgate replay "$(npm root -g)/riskgate/data/demo.itch.gz"': 'needs the global install: scripts/pack-install.sh (CI step "package") runs the installed riskgate replay from outside the checkout',
  'riskgate publish data/demo.itch.gz --brokers 127.0.0.1:9092': 'needs a Kafka broker: test/kafka/feed.test.ts publishes the demo to a broker of its own',
  'riskgate run --brokers 127.0.0.1:9092 --out records.bin [--json]': 'needs a Kafka broker and a published feed: test/kafka/feed.test.ts runs it and compares the records with replay --out',
  'riskgate clear --brokers 127.0.0.1:9092 --workers 3 --exit-when-idle 3000': 'needs a Kafka broker: test/kafka/clearing.test.ts runs 3 workers through a SIGKILL and a broker restart',
  'riskgate settle --brokers 127.0.0.1:9092 --report settlement.csv': 'needs a Kafka broker: test/kafka/clearing.test.ts settles and reconciles',
  // issue 11: whole CLI table rows (their required arguments) that are not run, and why
  'feed-sim <file> --to host:port': 'serves a UDP feed to a listener that puts it on Kafka (needs a broker): test/feed/listen.test.ts runs feed-sim with loss, reordering and duplicates and with --no-request-server',
  'listen --from host:port --request host:port --brokers host:port': 'needs a Kafka broker and a feed: test/feed/listen.test.ts runs listen behind feed-sim, through a SIGKILL and a resume, and run on its topic',
  // issue 13: the venue simulator serves until Ctrl-C and send needs it running
  'venue-sim <file>': 'serves OUCH until SIGINT: test/venue/cli.test.ts runs venue-sim (--port 0 --json --stop-at --user), sends to it and ends it with SIGINT',
  'send --to host:port --user U --password P': 'needs a venue listening: test/venue/cli.test.ts runs send against venue-sim with command-line and CSV orders, --json, and refused logins',
  'riskgate venue-sim venue.itch.gz --stop-at 3000 --user ALPHA1:secret': 'serves until Ctrl-C: test/venue/cli.test.ts runs venue-sim the same way and ends it with SIGINT',
  'riskgate send --to 127.0.0.1:15001 --user ALPHA1 --password secret --first-ref 1 buy 400 MSFT@420.07 sell 1000 AAPL@189.89 ioc': 'needs the venue of the line before: test/venue/cli.test.ts sends marketable and IOC orders to venue-sim and checks the exact executions',
  // issue 13: the gateway with the engine (spec §18) serves until Ctrl-C, in front of a venue
  'gateway <file>': 'serves OUCH until SIGINT: test/order-entry/gateway-cli.test.ts runs it on the demo at --stop-at 61117, sends orders and ends it with SIGINT',
  'riskgate venue-sim data/demo.itch.gz --port 15001 --stop-at 61117': 'serves until Ctrl-C: test/venue/cli.test.ts runs venue-sim and ends it with SIGINT; test/order-entry/gateway-engine.test.ts puts the venue behind the gateway',
  'riskgate gateway data/demo.itch.gz --config config/gateway-demo.json --venue 127.0.0.1:15001 --stop-at 61117 --record merged.itch --serve --audit-out audit.jsonl': 'serves until Ctrl-C: test/order-entry/gateway-cli.test.ts runs it (without a venue) and checks answers, summary and the replay digest of --record; test/order-entry/gateway-e2e.test.ts runs it with venue-sim, --serve and --audit-out',
  'riskgate send --to 127.0.0.1:15000 --user ALPHA1 --password alpha-pw --first-ref 1 buy 100 AAPL@189.90 buy 5000 AAPL@189.90 short 10 AAPL@189.88 sell 50 AAPL@190.20': 'needs the gateway of the line before: test/order-entry/gateway-cli.test.ts sends the MAX_QTY reject and the accepted short sale of this line',
  // issue 13: order entry on the live Kafka feed (docs/spec.md §14.10)
  'riskgate publish data/demo.itch.gz --brokers 127.0.0.1:9092 --to-seq 61117': 'needs a Kafka broker: test/kafka/run-order-entry.test.ts publishes the demo to a broker of its own in two parts, the first up to 61117',
  'riskgate run --brokers 127.0.0.1:9092 --config config/gateway-demo.json --order-entry --venue 127.0.0.1:15001 --stale-ms 0 --record merged.itch --events': 'needs a Kafka broker and serves OUCH until the end of the session: test/kafka/run-order-entry.test.ts runs it with venue-sim, through a SIGKILL and a restart, and replays --record',
  'riskgate send --to 127.0.0.1:15000 --user ALPHA1 --password alpha-pw short 10 AAPL@189.88': 'needs the run of the line before: test/kafka/run-order-entry.test.ts sends orders to run --order-entry and checks each answer',
  'replay --brokers host:port': 'sends the fills to Kafka: test/kafka/clearing.test.ts covers replay --brokers',
  'replay --speed realtime': 'paces by ITCH timestamps and the demo spans a trading day: test/cli/commands.test.ts paces a 0.29 s session',
  'replay --speed N': 'paced like realtime (N times faster): the demo would take hours; test/cli/commands.test.ts covers pacing',
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'riskgate-docs-'));
  symlinkSync(join(ROOT, 'data'), join(work, 'data'));
  symlinkSync(join(ROOT, 'config'), join(work, 'config'));
  symlinkSync(join(ROOT, 'test/data'), join(work, 'testdata'));
});

// ---- reading the docs ---------------------------------------------------------------------

function fenced(md: string, lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm');
  for (let m = re.exec(md); m; m = re.exec(md)) out.push(m[1]);
  return out;
}

/** The commands of a document's `sh` blocks, comments dropped. */
export function shCommands(md: string): string[] {
  return fenced(md, 'sh')
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The synopses of the README's CLI table (first cell, backticks and table escapes removed). */
export function cliTableRows(md: string): string[] {
  const section = md.slice(md.indexOf('## The CLI'), md.indexOf('### Exit codes'));
  return section
    .split('\n')
    .filter((l) => /^\| `[a-z]/.test(l))
    .map((l) => /^\| `((?:[^`])+)`/.exec(l)![1].replace(/\\\|/g, '|'));
}

// ---- synopsis expansion -------------------------------------------------------------------

type Node = { word: string } | { optional: Node[] };

function parseSynopsis(s: string): Node[] {
  const tokens = s.match(/\[|\]|[^\s[\]]+(?:\[[^\s\]]*\])?/g) ?? [];
  let i = 0;
  const seq = (): Node[] => {
    const out: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t === '[') out.push({ optional: seq() });
      else if (t === ']') return out;
      else out.push({ word: t });
    }
    return out;
  };
  return seq();
}

/** A word's alternatives: `a|b|c`, and `f.itch[.gz]` as `f.itch` and `f.itch.gz`. */
function alternatives(w: string): string[] {
  const inline = /^(.*)\[(.*)\]$/.exec(w);
  if (inline) return [inline[1], inline[1] + inline[2]];
  return w.split('|');
}

/** Every variant: only the required words first, then one per optional group and per alternative. */
export function variants(nodes: Node[]): string[][] {
  const base: string[] = [];
  for (const n of nodes) if ('word' in n) base.push(alternatives(n.word)[0]);
  const out: string[][] = [base];
  let pos = 0;
  for (const n of nodes) {
    if ('word' in n) {
      for (const alt of alternatives(n.word).slice(1)) out.push([...base.slice(0, pos), alt, ...base.slice(pos + 1)]);
      pos++;
    } else {
      for (const v of variants(n.optional)) out.push([...base.slice(0, pos), ...v, ...base.slice(pos)]);
    }
  }
  return out;
}

/** Concrete values for the placeholders, by the option they follow. */
const VALUES: Record<string, string> = {
  '<file>': 'data/demo.itch.gz',
  '--config f': 'config/default.json',
  '--batch N': '1000',
  '--per-packet N': '8',
  '--symbols A,B': 'AAPL,MSFT',
  '--symbols K': '3',
  '--seed N': '42',
  '--messages M': '5000',
  '--out f.itch': 'gen.itch',
  '--out f.itch.gz': 'gen.itch.gz',
  '<records.bin>': 'records.bin',
};

/** Per command: hwreport simulates every cycle, so it gets the 1,000-message NASDAQ sample. */
const COMMAND_VALUES: Record<string, Record<string, string>> = {
  hwreport: { '<file>': 'testdata/nasdaq-itch50-sample-1000.itch' },
};

function concrete(cmd: string, words: string[]): string[] {
  return words.map((w, i) => COMMAND_VALUES[cmd]?.[w] ?? VALUES[`${words[i - 1]} ${w}`] ?? VALUES[w] ?? w);
}

/** The allow-list key of a synopsis variant: its command and the options it adds to the base. */
function variantKey(cmd: string, base: string[], v: string[]): string | undefined {
  for (let i = 0; i < v.length - 1; i++) {
    const key = `${cmd} ${v[i]} ${v[i + 1]}`;
    if (ALLOWED[key] && !base.includes(v[i])) return key;
  }
  return undefined;
}

// ---- running ------------------------------------------------------------------------------

function run(argv: string[], timeout = 300_000) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: work, encoding: 'utf8', timeout, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Words of a command line (the docs use no quoting besides what the allow-list holds). */
function words(line: string): string[] {
  return line.split(/\s+/).filter(Boolean);
}

function runLine(line: string) {
  const [head, ...rest] = words(line);
  if (head === 'riskgate') return run(rest);
  if (head === 'npx' && rest[0] === 'riskgate') return run(rest.slice(1));
  throw new Error(`docs test: no way to run ${JSON.stringify(line)}: add it to ALLOWED with a reason, or teach the test`);
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXPORTS = readFileSync(join(ROOT, 'docs/exports.md'), 'utf8');

describe('README commands', () => {
  const lines = shCommands(README);

  it('finds the commands of the README (sh blocks and the CLI table)', () => {
    expect(lines).toContain('npm run demo');
    expect(cliTableRows(README).map((r) => r.split(' ')[0])).toEqual(['replay', 'hwreport', 'book', 'inspect', 'decode', 'gen', 'pcap', 'feed-sim', 'listen', 'venue-sim', 'gateway', 'send']);
  });

  it('every allow-listed command still appears in the docs, each with a reason', () => {
    const synopses = cliTableRows(README);
    for (const [key, why] of Object.entries(ALLOWED)) {
      expect(why.length, key).toBeGreaterThan(20);
      const inSh = lines.includes(key) || shCommands(EXPORTS).includes(key);
      const [cmd, opt, val] = key.split(' ');
      const inTable = synopses.some((s) => s.startsWith(`${cmd} `) && s.includes(opt) && (val === undefined || s.includes(val)));
      expect(inSh || inTable, key).toBe(true);
    }
  });

  it("`npm run demo` is the bootstrap and then the shadow replay of the demo, which runs", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const m = /^bash scripts\/bootstrap\.sh && node bin\/riskgate\.js (.*)$/.exec(pkg.scripts.demo);
    expect(m, pkg.scripts.demo).not.toBeNull();
    const r = run(words(m![1]));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shadow/i);
  });

  for (const line of lines.filter((l) => !ALLOWED[l])) {
    it(`runs: ${line}`, () => {
      const r = runLine(line);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    });
  }

  for (const synopsis of cliTableRows(README)) {
    const [cmd, ...rest] = synopsis.split(' ');
    const nodes = parseSynopsis(rest.join(' '));
    const vs = variants(nodes);
    const base = vs[0];
    const rowAllowed = ALLOWED[[cmd, ...base].join(' ')];
    if (rowAllowed) {
      it(`does not run the CLI table's ${cmd} row: ${rowAllowed}`, () => expect(rowAllowed.length).toBeGreaterThan(20));
      continue;
    }
    it(`runs every option of the CLI table's ${cmd} row (${vs.length} variants)`, () => {
      let ran = 0;
      for (const v of vs) {
        if (variantKey(cmd, base, v)) continue;
        const argv = [cmd, ...concrete(cmd, v)];
        const r = run(argv);
        expect(r.status, `riskgate ${argv.join(' ')}\n${r.stderr.slice(0, 2000)}`).toBe(0);
        if (argv.includes('--json')) expect(() => JSON.parse(r.stdout), argv.join(' ')).not.toThrow();
        for (const out of argv.filter((a, i) => argv[i - 1] === '--out')) expect(existsSync(join(work, out)), out).toBe(true);
        ran++;
      }
      expect(ran).toBeGreaterThan(0);
    }, 900_000);
  }
});

describe('docs/exports.md', () => {
  it('runs its commands, and its Python example reads what they wrote', () => {
    for (const line of shCommands(EXPORTS)) {
      const r = runLine(line);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    const py = spawnSync('bash', [join(ROOT, 'scripts/python-env.sh')], { encoding: 'utf8', timeout: 540_000 }).stdout.trim();
    const [example] = fenced(EXPORTS, 'python');
    const r = spawnSync(py, ['-c', example], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  }, 600_000);

  it('documents exactly the columns, types and nullability the exporter writes', () => {
    const TYPE: Record<string, string> = { int64: 'int64', price: 'decimal(10,4)', money: 'decimal(20,4)', bool: 'bool', string: 'string' };
    for (const t of TABLES) {
      const block = new RegExp(`<!-- table:${t.name} -->\\n([\\s\\S]*?)<!-- /table:${t.name} -->`).exec(EXPORTS);
      expect(block, t.name).not.toBeNull();
      const rows = block![1].split('\n').filter((l) => /^\| `/.test(l)).map((l) => l.split('|').slice(1, 4).map((c) => c.trim()));
      expect(rows, t.name).toEqual(t.columns.map((c) => [`\`${c.name}\``, TYPE[c.type], c.nullable ? 'yes' : '']));
    }
  });
});
