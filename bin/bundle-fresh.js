// Whether dist/ holds a bundled command line (scripts/build-cli.mjs) built from the source
// files as they are now: bin/riskgate.js runs it then, and src/cli.ts through tsx otherwise (a
// checkout being edited never runs stale code). A file not touched since the build is taken as
// is (one stat); a newer one — every file of an `npm i -g` install, whose files get the time
// of the install, or a checkout after git touched it — counts as unchanged only if its SHA-1
// is the one recorded at the build (reading and hashing the sources: a few ms).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export function bundleFresh(root) {
  try {
    const { builtAtMs, inputs } = JSON.parse(readFileSync(new URL('dist/cli-inputs.json', root), 'utf8'));
    const files = Object.entries(inputs);
    if (files.length === 0) return false;
    for (const [f, sha1] of files) {
      const url = new URL(f, root);
      if (statSync(url).mtimeMs <= builtAtMs) continue;
      if (createHash('sha1').update(readFileSync(url)).digest('hex') !== sha1) return false;
    }
    return true;
  } catch {
    return false;
  }
}
