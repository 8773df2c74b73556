/**
 * Per-module line coverage of a Verilator coverage file (the --coverage-line card of
 * `npm run cover:hw`, merged by verilator_coverage).
 *
 *   node --import tsx scripts/cover-report.ts merged.dat [--init merged-init.dat] [--min 95 rg_itch_parser,rg_risk,rg_ctrl_check] [--json]
 *
 * merged.dat holds what the cards counted after reset; --init what they counted before it
 * (initial blocks, the first settle of the combinational logic over the random power-up
 * state, the reset itself; riskgate_sim.cpp writes it apart). A branch point (if, else,
 * elsif, case) counts only after reset, so no branch is credited for what random power-up
 * values happened to select. A block point (the straight-line body of a block) and any point
 * of an `initial` block also count from init: Verilator counts a combinational block's body
 * only when the model first settles, not on its later evaluations, and an initial block
 * (the parameter checks) runs only then.
 *
 * Verilator puts a point on every block, if/else branch and case item (pages v_line and
 * v_branch), once per instance, each with the source lines it spans (`S`). Instances of a
 * module (also its parameterised copies, rg_fifo__W27c...) are merged: a point counts as hit
 * when any instance hit it. A source line counts as covered when every point spanning it was
 * hit. Lines that no stimulus can reach are taken out of the count and listed with their
 * reason instead of being faked: the bodies of functions a module never calls at run time
 * (rg_contract_fn.vh is included whole; constant functions only build localparams), and the
 * entries of sim/cover-unreachable.txt (source text, module, reason). Exits 1 when a module
 * named after --min is below the threshold or has no points (a renamed module must not pass).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const HDL = join(ROOT, 'hdl');
const EXCEPTIONS = join(ROOT, 'sim', 'cover-unreachable.txt');

interface Point {
  key: string;
  module: string;
  file: string;
  lines: number[];
  kind: string;
  count: bigint;
}

function parseSpan(s: string | undefined, first: number): number[] {
  if (!s) return [first];
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let l = a; l <= (b ?? a); l++) out.push(l);
  }
  return out;
}

export function readPoints(path: string): Point[] {
  const byKey = new Map<string, Point>();
  for (const text of readFileSync(path, 'latin1').split('\n')) {
    const m = /^C '(.*)' (\d+)$/.exec(text);
    if (!m) continue;
    const f: Record<string, string> = {};
    for (const kv of m[1].split('\x01')) {
      const at = kv.indexOf('\x02');
      if (at > 0) f[kv.slice(0, at)] = kv.slice(at + 1);
    }
    const page = /^v_(line|branch)\/(.+)$/.exec(f.page ?? '');
    if (!page) continue;
    const module = page[2].replace(/__.*$/, ''); // parameterised copies: rg_prio_enc__W40_I6
    const file = basename(f.f ?? '');
    const line = Number(f.l);
    if (!file || !Number.isInteger(line)) throw new Error(`${path}: a coverage point without file or line: ${text}`);
    const key = [module, file, f.l, f.n, f.o, f.S, page[1]].join('\0');
    const p = byKey.get(key);
    if (p) p.count += BigInt(m[2]);
    else byKey.set(key, { key, module, file, lines: parseSpan(f.S, line), kind: f.o ?? '', count: BigInt(m[2]) });
  }
  return [...byKey.values()];
}

const sources = new Map<string, string[]>();
function source(file: string): string[] {
  if (!sources.has(file)) {
    const p = join(HDL, file);
    sources.set(file, existsSync(p) ? readFileSync(p, 'utf8').split('\n') : []);
  }
  return sources.get(file)!;
}

/** Lines of a source file inside `initial` blocks (the parameter checks: they run once, at init). */
const initialLines = new Map<string, Set<number>>();
function inInitial(file: string, line: number): boolean {
  if (!initialLines.has(file)) {
    const set = new Set<number>();
    const src = source(file);
    for (let i = 0; i < src.length; i++) {
      if (!/^\s*initial\b/.test(src[i])) continue;
      let depth = 0;
      for (let j = i; j < src.length; j++) {
        const code = src[j].replace(/\/\/.*$/, '');
        depth += (code.match(/\bbegin\b/g) ?? []).length - (code.match(/\bend\b/g) ?? []).length;
        set.add(j + 1);
        if (depth <= 0 && j > i) break;
        if (depth <= 0 && j === i && !/\bbegin\b/.test(code)) break; // a one-statement initial
      }
    }
    initialLines.set(file, set);
  }
  return initialLines.get(file)!.has(line);
}

/** Function bodies of a source file: name and line range (1-based, inclusive). */
function functionsOf(file: string): { name: string; file: string; from: number; to: number }[] {
  const out: { name: string; file: string; from: number; to: number }[] = [];
  const src = source(file);
  for (let i = 0; i < src.length; i++) {
    const m = /^\s*function\b(?:\s+automatic)?(?:\s*\[[^\]]*\])?(?:\s+(?:integer|reg|signed))*\s+(\w+)\s*[(;]/.exec(src[i]);
    if (!m) continue;
    let j = i;
    while (j < src.length && !/\bendfunction\b/.test(src[j])) j++;
    out.push({ name: m[1], file, from: i + 1, to: j + 1 });
  }
  return out;
}

/**
 * Functions of the module's files that its code never calls at run time: no call outside a
 * function body other than in a localparam/parameter, and no call from such a function.
 */
function deadFunctions(module: string, files: string[]): Map<string, string> {
  const fns = files.flatMap(functionsOf);
  const inFn = (file: string, line: number) => fns.find((f) => f.file === file && line >= f.from && line <= f.to);
  const runtime = new Set<string>();
  const calledFrom = new Map<string, Set<string>>();
  const callers = [`${module}.v`, ...files.filter((f) => f.endsWith('.vh'))];
  for (const fn of fns) {
    const re = new RegExp(`\\b${fn.name}\\s*\\(`);
    for (const file of new Set(callers)) {
      source(file).forEach((text, i) => {
        const code = text.replace(/\/\/.*$/, '');
        if (!re.test(code) || (file === fn.file && i + 1 === fn.from)) return;
        const host = inFn(file, i + 1);
        if (host) (calledFrom.get(fn.name) ?? calledFrom.set(fn.name, new Set()).get(fn.name)!).add(host.name);
        else if (!/^\s*(localparam|parameter)\b/.test(code)) runtime.add(fn.name);
      });
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, hosts] of calledFrom) {
      if (!runtime.has(name) && [...hosts].some((h) => runtime.has(h))) (runtime.add(name), (changed = true));
    }
  }
  const dead = new Map<string, string>();
  for (const fn of fns) {
    if (runtime.has(fn.name)) continue;
    const why = calledFrom.has(fn.name) || source(`${module}.v`).some((t) => new RegExp(`\\b${fn.name}\\s*\\(`).test(t))
      ? `function ${fn.name} is only evaluated at elaboration (it builds localparams)`
      : `function ${fn.name} (${fn.file}) is not called by ${module}`;
    for (let l = fn.from; l <= fn.to; l++) dead.set(`${fn.file}:${l}`, why);
  }
  return dead;
}

/** sim/cover-unreachable.txt: `module | text the source line contains | reason`, # comments. */
function exceptions(): { module: string; text: string; reason: string; used: boolean }[] {
  if (!existsSync(EXCEPTIONS)) return [];
  return readFileSync(EXCEPTIONS, 'utf8').split('\n')
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'))
    .map((l) => {
      const [module, text, reason] = l.split('|').map((x) => x.trim());
      if (!module || !text || !reason) throw new Error(`${EXCEPTIONS}: expected "module | source text | reason": ${l}`);
      return { module, text, reason, used: false };
    });
}

interface Line { file: string; line: number; kinds: string[]; text: string; reason?: string; hit?: boolean }
export interface ModuleCover {
  module: string;
  lines: number;
  covered: number;
  pct: number;
  uncovered: Line[];
  unreachable: Line[];
}

export function moduleCoverage(points: Point[]): ModuleCover[] {
  const mods = new Map<string, Point[]>();
  for (const p of points) (mods.get(p.module) ?? mods.set(p.module, []).get(p.module)!).push(p);
  const exc = exceptions();
  const out: ModuleCover[] = [];
  for (const [module, ps] of mods) {
    const dead = deadFunctions(module, [...new Set(ps.map((p) => p.file))]);
    const lines = new Map<string, Line & { hit: boolean }>();
    for (const p of ps) {
      for (const l of p.lines) {
        const k = `${p.file}:${l}`;
        const e = lines.get(k) ?? lines.set(k, { file: p.file, line: l, kinds: [], text: (source(p.file)[l - 1] ?? '').trim(), hit: true }).get(k)!;
        if (p.count === 0n) (e.hit = false), e.kinds.includes(p.kind) || e.kinds.push(p.kind);
      }
    }
    const all = [...lines.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    const unreachable: Line[] = [];
    const counted: Line[] = [];
    for (const l of all) {
      const x = !l.hit && exc.find((e) => e.module === module && l.text.includes(e.text));
      const reason = !l.hit ? dead.get(`${l.file}:${l.line}`) ?? (x ? ((x.used = true), x.reason) : undefined) : undefined;
      if (reason) unreachable.push({ ...l, reason });
      else counted.push(l);
    }
    const covered = counted.filter((l) => l.hit).length;
    out.push({
      module, lines: counted.length, covered, pct: counted.length ? (100 * covered) / counted.length : 0,
      uncovered: counted.filter((l) => !l.hit).map(({ hit: _, ...l }) => l),
      unreachable: unreachable.map(({ hit: _, ...l }) => l),
    });
  }
  for (const e of exc) if (!e.used) console.warn(`cover-report: sim/cover-unreachable.txt entry matched no uncovered line (stale?): ${e.module} | ${e.text}`);
  return out.sort((a, b) => a.module.localeCompare(b.module));
}

function main(argv: string[]): number {
  const args = [...argv];
  const json = args.includes('--json');
  let min = 0;
  let gated: string[] = [];
  const at = args.indexOf('--min');
  if (at >= 0) {
    min = Number(args[at + 1]);
    gated = (args[at + 2] ?? '').split(',').filter(Boolean);
    if (!Number.isFinite(min) || !gated.length) throw new Error('usage: --min <percent> <module,module,...>');
    args.splice(at, 3);
  }
  let init: string | undefined;
  const ai = args.indexOf('--init');
  if (ai >= 0) {
    init = args[ai + 1];
    if (!init) throw new Error('usage: --init <coverage.dat>');
    args.splice(ai, 2);
  }
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: cover-report.ts <coverage.dat> [--init <coverage.dat>] [--min <percent> <modules>] [--json]');
  const points = readPoints(file);
  if (init) {
    const before = new Map(readPoints(init).map((p) => [p.key, p.count]));
    for (const p of points) if (p.kind === 'block' || inInitial(p.file, p.lines[0])) p.count += before.get(p.key) ?? 0n;
  }
  const mods = moduleCoverage(points);
  const failing = gated.filter((g) => {
    const m = mods.find((x) => x.module === g);
    return !m || m.lines === 0 || m.pct < min;
  });
  if (json) {
    console.log(JSON.stringify({ min, gated, failing, modules: mods }, null, 2));
    return failing.length ? 1 : 0;
  }
  for (const m of mods) {
    if (m.unreachable.length) {
      console.log(`\nunreachable in ${m.module} (${m.unreachable.length} lines, not counted):`);
      const byReason = new Map<string, Line[]>();
      for (const u of m.unreachable) (byReason.get(u.reason!) ?? byReason.set(u.reason!, []).get(u.reason!)!).push(u);
      for (const [why, ls] of byReason) console.log(`  ${ls.map((l) => `${l.file}:${l.line}`).slice(0, 3).join(' ')}${ls.length > 3 ? ` (+${ls.length - 3})` : ''}: ${why}`);
    }
    if (m.uncovered.length) {
      console.log(`\nuncovered in ${m.module} (${m.uncovered.length}):`);
      for (const u of m.uncovered) console.log(`  hdl/${u.file}:${u.line}  [${u.kinds.join(',')}]  ${u.text}`);
    }
  }
  // raw: the same lines with the unreachable ones counted as uncovered (Verilator's own view)
  console.log('\nmodule              lines covered       %  unreachable   raw %');
  for (const m of mods) {
    const gate = gated.includes(m.module) ? (m.pct >= min ? `   gate >= ${min}%: ok` : `   gate >= ${min}%: FAIL`) : '';
    const raw = (100 * m.covered) / Math.max(1, m.lines + m.unreachable.length);
    console.log(`${m.module.padEnd(18)} ${String(m.lines).padStart(6)} ${String(m.covered).padStart(7)} ${m.pct.toFixed(1).padStart(7)} ${String(m.unreachable.length).padStart(12)} ${raw.toFixed(1).padStart(7)}${gate}`);
  }
  const total = mods.reduce((a, m) => [a[0] + m.lines, a[1] + m.covered], [0, 0]);
  console.log(`${'all'.padEnd(18)} ${String(total[0]).padStart(6)} ${String(total[1]).padStart(7)} ${(total[0] ? (100 * total[1]) / total[0] : 0).toFixed(1).padStart(7)}`);
  for (const g of failing) {
    const m = mods.find((x) => x.module === g);
    console.error(`cover: ${g} ${m ? `line coverage ${m.pct.toFixed(1)}% is below ${min}%` : 'has no line points in the coverage data'}`);
  }
  return failing.length ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`cover-report: ${(e as Error).message}`);
  process.exitCode = 2;
}
