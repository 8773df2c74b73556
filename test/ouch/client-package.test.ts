/**
 * The client library is the package's `riskgate/client` export, with its types: imported by
 * that name (package self-reference through package.json "exports") it is the same module the
 * tests use, and a plain Node process (tsx loader, as bin/riskgate.js runs) can import it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as byName from 'riskgate/client';
import * as byPath from '../../src/client/index.ts';

describe('riskgate/client', () => {
  it('resolves to src/client through package.json exports, types included', () => {
    expect(byName.OuchClient).toBe(byPath.OuchClient);
    expect(byName.priceUnits('189.5')).toBe(1_895_000n);
  });

  it('imports in a separate Node process by its package name', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "const m = await import('riskgate/client'); console.log(typeof m.OuchClient.connect, m.OuchReject.INVALID_PRICE)"], { encoding: 'utf8', cwd: new URL('../../', import.meta.url).pathname });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function 29');
  });
});
