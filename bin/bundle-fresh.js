// Whether dist/ holds a bundled command line (scripts/build-cli.mjs) built after every one of
// its source files last changed: bin/riskgate.js runs it then, and src/cli.ts through tsx
// otherwise (a checkout being edited never runs stale code). ~150 stat calls, ~1 ms.
import { readFileSync, statSync } from 'node:fs';

export function bundleFresh(root) {
  try {
    const { builtAtMs, inputs } = JSON.parse(readFileSync(new URL('dist/cli-inputs.json', root), 'utf8'));
    return inputs.length > 0 && inputs.every((f) => statSync(new URL(f, root)).mtimeMs <= builtAtMs);
  } catch {
    return false;
  }
}
