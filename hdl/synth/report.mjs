// Summarises yosys `stat` and `ltp` output of hdl/synth/synth.sh.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
const [statFile, ltpFile, secs] = process.argv.slice(2);
const stat = readFileSync(statFile, 'utf8');
const cells = {};
for (const m of stat.matchAll(/^\s+(\w+)\s+(\d+)\s*$/gm)) cells[m[1]] = (cells[m[1]] ?? 0) + Number(m[2]);
const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
const luts = sum(/^LUT[1-6]$/);
const lutram = sum(/^RAM(32|64|128|256)/);
const ffs = sum(/^FD[CPRSE]{1,2}$/);
const bram36 = sum(/^RAMB36/), bram18 = sum(/^RAMB18/), uram = sum(/^URAM288/);
const dsp = sum(/^DSP48E2$/), carry = sum(/^CARRY[48]$/), muxf = sum(/^MUXF[789]$/);
const ltp = readFileSync(ltpFile, 'utf8');
const m = ltp.match(/Longest topological path in \S+ \(length=(\d+)\)/);
// path lines: "  k: <wire> (via <cell>)"; classify the cells on the path
const via = [...ltp.matchAll(/\(via ([^)]+)\)/g)].map((x) => x[1]);
// cell kinds from synth.ys's `select -list` files beside ltp.txt ("module/cell" lines)
const names = (f) => {
  const p = join(dirname(ltpFile), f);
  return existsSync(p) ? new Set(readFileSync(p, 'utf8').split('\n').map((l) => l.trim().replace(/^[^/]+\//, '')).filter(Boolean)) : null;
};
const kinds = { carry4: names('cells_carry4.txt'), carry8: names('cells_carry8.txt'), dsp: names('cells_dsp.txt'), muxf: names('cells_muxf.txt') };
const onPath = { lut: 0, carry: 0, carryBits: 0, dsp: 0, muxf: 0, other: 0 };
for (const c of via) {
  if (kinds.carry4?.has(c)) { onPath.carry++; onPath.carryBits += 4; }
  else if (kinds.carry8?.has(c)) { onPath.carry++; onPath.carryBits += 8; }
  else if (kinds.dsp?.has(c)) onPath.dsp++;
  else if (kinds.muxf?.has(c)) onPath.muxf++;
  else if (!kinds.carry8 && /carry/i.test(c)) onPath.carry++;
  else if (/abc|lut/i.test(c)) onPath.lut++;
  else onPath.other++;
}
const carryBits = 4 * sum(/^CARRY4$/) + 8 * sum(/^CARRY8$/);
const start = ltp.match(/^\s*0: (\S+)/m)?.[1] ?? '?';
const end = ltp.match(/^\s*\d+: (\S+)[^\n]*\n(?![\s\S]*^\s*\d+:)/m)?.[1] ?? '?';
console.log('riskgate_top, yosys synth_xilinx -family xcup (UltraScale+), params: 4 symbols, 4 accounts, 256 ticks, 2^10 sets x 4 ways');
console.log(`  LUTs            ${luts}${lutram ? ` (+ ${lutram} LUTRAM primitives)` : ''}`);
console.log(`  flip-flops      ${ffs}`);
console.log(`  block RAM       ${bram36} RAMB36 + ${bram18} RAMB18 + ${uram} URAM288`);
console.log(`  DSP48E2         ${dsp}`);
console.log(`  CARRY / MUXF    ${carry} (${carryBits} carry bits) / ${muxf}`);
console.log(`  longest path    ${m ? Number(m[1]) : NaN} cells register to register (LUTRAM reads end a path) (${onPath.lut} LUT, ${onPath.carry} carry${kinds.carry8 ? ` = ${onPath.carryBits} carry bits (CARRY8 = 8, CARRY4 = 4)` : ''}, ${onPath.dsp} DSP, ${onPath.muxf} MUXF, ${onPath.other} other), ${start} -> ${end}`);
console.log(`  synthesis time  ${secs}s`);
