import { describe, expect, it } from 'vitest';
import { riskgate, riskgateJson, SAMPLE } from './run-cli.ts';

describe('riskgate inspect on the real NASDAQ sample', () => {
  it('reports 1000 messages: S 1, R 993, H 3, Y 3 and no errors', () => {
    const { status, json } = riskgateJson(['inspect', SAMPLE]);
    expect(status).toBe(0);
    expect(json.messages).toBe(1000);
    expect(json.byType).toEqual({ S: 1, R: 993, H: 3, Y: 3 });
    expect(json.errors).toEqual([]);
    expect(json.symbols).toBe(993);
    expect(json.directory.slice(0, 3)).toEqual(['A', 'AA', 'AAAU']);
  });

  it('warns, without failing, that the sample has no end-of-session marker', () => {
    const { status, json } = riskgateJson(['inspect', SAMPLE]);
    expect(status).toBe(0);
    expect(json.warnings.map((w: { kind: string }) => w.kind)).toEqual(['MISSING_END_MARKER']);
    expect(json.warnings[0].firstOffset).toBe(40874);
  });

  it('prints a readable page without --json', () => {
    const r = riskgate(['inspect', SAMPLE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/messages\s+1,000/);
    expect(r.stdout).toMatch(/R 993/);
  });
});
