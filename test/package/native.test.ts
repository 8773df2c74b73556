/**
 * The installed package's native engine: typed by napi-rs's generated declarations, loaded by
 * platform, and a clear message where the package has no build for the machine.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RiskgateError } from '../../src/errors.ts';
import { PREBUILT_PLATFORMS, loadNative, napiPlatform, nativeFileFor } from '../../src/engine/rust.ts';
import { ROOT } from '../cli/run-cli.ts';

describe('native engine types and loading', () => {
  it('the Rust engine is typed by the napi-rs generated native/native.d.ts: no hand-written interface, no `as unknown as` in src/engine', () => {
    const rust = readFileSync(join(ROOT, 'src/engine/rust.ts'), 'utf8');
    expect(rust).toContain("import type * as Native from '../../native/native.d.ts'");
    expect(rust).not.toMatch(/interface Native(Engine|Module)\b/);
    for (const f of readdirSync(join(ROOT, 'src/engine'))) {
      expect(readFileSync(join(ROOT, 'src/engine', f), 'utf8'), f).not.toContain('as unknown as');
    }
    expect(readFileSync(join(ROOT, 'src/engine/types.ts'), 'utf8')).toContain("export type { EngineStats } from '../../native/native.d.ts'");
    // The generated declarations describe what the module really exports.
    const mod = loadNative();
    const dts = readFileSync(join(ROOT, 'native/native.d.ts'), 'utf8');
    for (const name of ['Engine', 'maxRecordBytes', 'RECORD_SIZE', 'RECORD_VERSION']) {
      expect(dts).toMatch(new RegExp(`export declare (class|function|const) ${name}\\b`));
      expect(mod, name).toHaveProperty(name);
    }
  });

  it('this machine loads the prebuilt linux-x64 (glibc) engine the package ships', () => {
    expect(PREBUILT_PLATFORMS).toContain(napiPlatform());
    expect(nativeFileFor()).toMatch(/native\/riskgate-napi\.linux-x64-gnu\.node$/);
  });

  it('on a platform without a prebuilt engine, loading names the platforms built and how to build one', () => {
    expect(napiPlatform('darwin', 'arm64')).toBe('darwin-arm64');
    expect(napiPlatform('linux', 'x64', false)).toBe('linux-x64-musl');
    expect(napiPlatform('win32', 'x64')).toBe('win32-x64-msvc');
    for (const triple of ['darwin-arm64', 'linux-x64-musl', 'linux-arm64-gnu', 'win32-x64-msvc']) {
      let err: unknown;
      try {
        nativeFileFor(triple);
      } catch (e) {
        err = e;
      }
      expect(err, triple).toBeInstanceOf(RiskgateError);
      expect((err as RiskgateError).code).toBe('ENGINE_FAILED');
      expect((err as Error).message).toBe(
        `riskgate's Rust engine is built for linux-x64-gnu only, and this machine is ${triple}: build it for this platform from a checkout of riskgate (npm run build:native, needs Rust >= 1.80), or run riskgate on linux-x64-gnu`,
      );
    }
  });

  it('without any build, loading says the engine is not built and how to build it', () => {
    const empty = `${mkdtempSync(join(tmpdir(), 'riskgate-native-'))}/`;
    expect(() => nativeFileFor('linux-x64-gnu', empty)).toThrow(/the Rust engine is not built: no \.node file in .* \(run: npm run build:native\)/);
  });
});
