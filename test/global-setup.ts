/**
 * Starts the local Kafka broker for the Kafka tests when it is not already up (CI starts it
 * in .ci/run; `npm test` on a fresh machine starts it here) and stops it afterwards only if
 * this run started it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KAFKA = fileURLToPath(new URL('../scripts/kafka.sh', import.meta.url));

function kafka(cmd: string): boolean {
  try {
    execFileSync('bash', [KAFKA, cmd], { stdio: cmd === 'status' ? 'ignore' : 'inherit' });
    return true;
  } catch {
    return false;
  }
}

/** True when the run names test files and none of them is a Kafka test. */
function kafkaNotSelected(): boolean {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.endsWith('vitest') && !a.endsWith('.mjs'));
  return filters.length > 0 && !filters.some((f) => f.includes('kafka'));
}

export default function setup(): () => void {
  let started = false;
  if (kafkaNotSelected()) return () => {};
  if (!kafka('status')) {
    if (!kafka('up')) throw new Error('could not start the local Kafka broker (see scripts/kafka.sh log)');
    started = true;
  }
  return () => {
    if (started) kafka('down');
  };
}
