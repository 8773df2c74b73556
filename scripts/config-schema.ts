/**
 * Writes config/schema.json, the JSON Schema of the config (src/config/schema.ts), which
 * config files reference with `"$schema": "./schema.json"` so that editors validate them.
 *
 *   npm run config:schema             write config/schema.json
 *   npm run config:schema -- --check  exit 1 when config/schema.json differs (CI, tests)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaJson } from '../src/config/schema.ts';

const PATH = fileURLToPath(new URL('../config/schema.json', import.meta.url));
const want = schemaJson();
let have = '';
try {
  have = readFileSync(PATH, 'utf8');
} catch {
  // missing: written below (or reported by --check)
}
if (process.argv.includes('--check')) {
  if (have !== want) {
    process.stderr.write('config/schema.json differs from src/config/schema.ts: run npm run config:schema\n');
    process.exit(1);
  }
} else if (have !== want) {
  writeFileSync(PATH, want);
  process.stdout.write('wrote config/schema.json\n');
}
