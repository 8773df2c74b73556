/**
 * What an export says about where it came from: the riskgate package, spec, record and config
 * versions, the SHA-256 of the start-of-day config blob (spec §10) the engine ran with, the
 * input, and the versions of the libraries that wrote the files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { configBlob, type Config } from '../config/index.ts';
import { VERSIONS } from '../contract.ts';

const require = createRequire(import.meta.url);

/** Version of an installed package (its package.json found above its resolved entry point). */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 6; i++) {
      const pj = join(dir, 'package.json');
      if (existsSync(pj)) {
        const j = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
        if (j.name === name && j.version) return j.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

/** riskgate's own version (package.json beside src/). */
export function riskgateVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** SHA-256 (hex) of the config blob of spec §10: the config fingerprint. */
export function configSha256(config: Config): string {
  return createHash('sha256').update(configBlob(config)).digest('hex');
}

export interface ExportMeta {
  riskgate_version: string;
  spec_version: number;
  record_version: number;
  config_version: number;
  config_sha256: string;
  config_source: string;
  input: string | null;
  /** Table layout version of docs/exports.md. */
  export_schema_version: number;
}

export const EXPORT_SCHEMA_VERSION = 1;

export function exportMeta(config: Config, input?: string): ExportMeta {
  return {
    riskgate_version: riskgateVersion(),
    spec_version: VERSIONS.spec,
    record_version: VERSIONS.record,
    config_version: VERSIONS.config,
    config_sha256: configSha256(config),
    config_source: config.source,
    input: input ?? null,
    export_schema_version: EXPORT_SCHEMA_VERSION,
  };
}
