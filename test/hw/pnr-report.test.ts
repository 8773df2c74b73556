// hdl/pnr/report.ts (npm run pnr's summary) on a checked-in sample: rg_tob placed and routed by
// nextpnr-ecp5 0.11.1 (report trimmed to its critical paths; netlist reduced to the cells and nets
// on them). The place and route itself is not run here (minutes per design).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  checkFmax, criticalPath, hopLine, loadDesign, makeWrapper, netlistCellName, parsePortlist, parseStat, srcHops, wrapperFFs, wrapperPort,
  type NpReport, type YNetlist,
} from '../../hdl/pnr/report.ts';

const DIR = fileURLToPath(new URL('./pnr-sample', import.meta.url));
const read = (f: string) => readFileSync(`${DIR}/${f}`, 'utf8');

describe('pnr report parser', () => {
  it('reads yosys portlist and stat', () => {
    const ports = parsePortlist(read('ports.txt'));
    expect(ports.find((p) => p.name === 's_ev')).toEqual({ dir: 'input', width: 475, name: 's_ev' });
    expect(ports.filter((p) => p.dir === 'output').reduce((a, p) => a + p.width, 0)).toBe(627);
    expect(wrapperFFs(ports)).toBe(704 + 2 * 627 + 2);
    const st = parseStat(read('stat.txt'));
    expect(st).toMatchObject({ LUT4: 1947, CCU2C: 325, TRELLIS_FF: 3988, MULT18X18D: 20, PFUMX: 166, L6MUX21: 61 });
  });

  it('maps src attributes and nextpnr cell names', () => {
    expect(srcHops('hdl/rg_tob.v:153.21-153.61|/share/lattice/arith_map_ccu2c.v:74.7-80.4')).toEqual(['rg_tob.v:153']);
    expect(srcHops(['pnr_wrap.v:7.5-13.8', 'hdl/rg_risk.v:9.1-9.2', 'hdl/rg_risk.v:9.4-9.9'])).toEqual(['rg_risk.v:9']);
    expect(srcHops(undefined)).toEqual([]);
    expect(netlistCellName('u_dut.x_CCU2C_S1$CCU2_COMB1')).toBe('u_dut.x_CCU2C_S1');
    const ports = parsePortlist(read('ports.txt'));
    expect(wrapperPort('ichain[0]', 'ichain', ports, 'input')).toBe('in cfg_tick[0]');
    expect(wrapperPort('ichain[80]', 'ichain', ports, 'input')).toBe('in s_valid');
    expect(wrapperPort('dout[2]', 'dout', ports, 'output')).toBe('out m_ev[0]');
    expect(wrapperPort('u_dut.foo', 'ichain', ports, 'input')).toBeUndefined();
  });

  it('summarises the sample: utilisation, Fmax and the critical path as source hops', () => {
    const s = loadDesign(DIR);
    expect(s).toMatchObject({ design: 'rg_tob', lut4: 1947, ccu2c: 325, ff: 3988, dp16kd: 0, mult18: 20, wrapper_ff: 1960 });
    expect(s.nextpnr_util.TRELLIS_COMB).toEqual({ used: 2675, available: 83640 });
    expect(s.fmax_mhz).toBe(81.47);
    expect(s.constraint_mhz).toBe(156.25);
    const cp = s.critical_path!;
    expect(cp.delay_ns).toBeCloseTo(12.274, 2);
    expect(cp.kinds).toEqual({ FF: 2, LUT4: 1, MULT: 1, carry: 45 });
    expect(cp.line).toBe('in s_book[17] (FF) -> ~rg_tob.v:101 (tuple1) (LUT4) -> rg_tob.v:153 (MULT, 45 carry) -> rg_tob.v:106 bn1_q (FF)');
    // arrival times grow along the path and end at the path delay
    const at = cp.hops.map((h) => h.at);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(at[at.length - 1]).toBeCloseTo(cp.delay_ns, 2);
  });

  it('skips the <async> paths and works without a netlist', () => {
    const rep = JSON.parse(read('report.json')) as NpReport;
    expect(rep.critical_paths!.some((c) => c.from.includes('<async>'))).toBe(true);
    const p = criticalPath({ ...rep, critical_paths: rep.critical_paths!.slice().reverse() })!;
    expect(p.from).not.toContain('<async>');
    expect(p.hops.length).toBe(49);
    // without the netlist, routing sources still name the design's lines
    expect(hopLine(p)).toContain('rg_tob.v:153');
    const net = JSON.parse(read('netlist.json')) as YNetlist;
    expect(hopLine(criticalPath(rep, net)!)).toContain('rg_tob.v:153 (MULT');
  });

  it('names hops without src: memories, output logic, nextpnr chain splits, wrapper ports', () => {
    const end = (cell: string) => ({ cell, port: 'X' });
    const seg = (type: string, from: string, to: string, net?: string) => ({ type, from: end(from), to: end(to), delay: 1, ...(net ? { net, sources: [] } : {}) });
    const clk = 'posedge $glbnet$clk$TRELLIS_IO_IN';
    const rep: NpReport = {
      utilization: {}, fmax: {},
      critical_paths: [{ from: clk, to: clk, path: [
        seg('clk-to-q', 'u_dut.u_locate.mem.0.12', 'u_dut.u_locate.mem.0.12'),
        seg('routing', 'u_dut.u_locate.mem.0.12', 'u_dut.dout_LUT4_Z_1', 'x'),
        seg('logic', 'u_dut.dout_LUT4_Z_1', 'u_dut.dout_LUT4_Z_1'),
        seg('routing', 'u_dut.dout_LUT4_Z_1', '$nextpnr_CCU2C_3$CCU2_COMB0', 'y'),
        seg('logic', '$nextpnr_CCU2C_3$CCU2_COMB0', '$nextpnr_CCU2C_3$CCU2_COMB0'),
        seg('routing', '$nextpnr_CCU2C_3$CCU2_COMB0', 'oq_TRELLIS_FF_Q_4', 'dout[2]'),
        seg('setup', 'oq_TRELLIS_FF_Q_4', 'oq_TRELLIS_FF_Q_4'),
      ] }],
    };
    const net: YNetlist = { modules: { pnr_wrap: { cells: {}, netnames: { 'u_dut.dout': { attributes: { src: 'sim/build/pnr/rg_x/pnr_wrap.v:5.5-5.9' } } } } } };
    const p = criticalPath(rep, net, parsePortlist('input [0:0] clk\noutput [1:0] a\noutput [3:0] b\n'))!;
    expect(hopLine(p)).toBe('u_locate.mem (memory) (?) -> ~output logic (?) -> (carry chain split by nextpnr) (carry) -> out b[0] (?)');
    expect(p.delay).toBe(7);
  });

  it('generates a wrapper that registers every port', () => {
    const v = makeWrapper('m', parsePortlist('module m\ninput [0:0] clk\ninput [0:0] rst\ninput [7:0] a\ninput [0:0] b\noutput [3:0] y\nendmodule\n'), { W: 8 });
    expect(v).toContain('reg [8:0] ichain;');
    expect(v).toContain('ichain <= {ichain[7:0], si};');
    expect(v).toContain("osr   <= ld_q ? oq : {osr[2:0], 1'b0};");
    expect(v).toContain('m #(.W(8)) u_dut (');
    expect(v).toMatch(/\.clk\(clk\),\n\s+\.rst\(rst_q\),\n\s+\.a\(ichain\[7:0\]\),\n\s+\.b\(ichain\[8:8\]\),\n\s+\.y\(dout\[3:0\]\)/);
  });

  it('asserts an Fmax floor (npm run pnr:check) and never passes without a figure', () => {
    const s = loadDesign(DIR);   // 81.47 MHz
    expect(checkFmax(s, 80)).toEqual({ ok: true, line: 'PASS rg_tob: Fmax 81.47 MHz after routing (seed 1), floor 80 MHz' });
    expect(checkFmax(s, 81.47).ok).toBe(true);
    expect(checkFmax(s, 81.48)).toEqual({ ok: false, line: 'FAIL rg_tob: Fmax 81.47 MHz after routing (seed 1), floor 81.48 MHz' });
    expect(checkFmax({ ...s, fmax_mhz: null }, 1)).toEqual({ ok: false, line: 'FAIL rg_tob: Fmax missing MHz after routing (seed 1), floor 1 MHz' });
    expect(checkFmax({ ...s, fmax_mhz: Number.NaN }, 1).ok).toBe(false);
    expect(() => checkFmax(s, Number('x'))).toThrow(/floor must be a positive number of MHz, got NaN/);
    expect(() => checkFmax(s, 0)).toThrow(/positive/);
  });
});
