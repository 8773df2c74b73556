/** The order-entry tests' shared set-up: the demo gateway config on a free port, and a venue-sim on the demo session. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli.ts';
import { startJson, type JsonProcess } from './cli-process.ts';

/** The demo session every order-entry test replays, and the message it stops at. */
export const DEMO_DATA = join(ROOT, 'data/demo.itch.gz');
export const DEMO_STOP = 61117;

/**
 * config/gateway-demo.json with the gateway on a free port (`edit` may change it further),
 * written to `dir/gateway.json`. Returns the path and the parsed config.
 */
export function writeDemoConfig(dir: string, edit: (json: any) => void = () => {}): { path: string; json: any } {
  const json = JSON.parse(readFileSync(join(ROOT, 'config/gateway-demo.json'), 'utf8'));
  delete json.$schema;
  json.orderEntry.port = 0;
  edit(json);
  const path = join(dir, 'gateway.json');
  writeFileSync(path, JSON.stringify(json));
  return { path, json };
}

/** `riskgate venue-sim` on the demo session up to DEMO_STOP, listening and fed; pushed to `procs` for clean-up. */
export async function startDemoVenue(procs: JsonProcess[]): Promise<{ venue: JsonProcess; port: number }> {
  const venue = startJson(['venue-sim', DEMO_DATA, '--port', '0', '--stop-at', String(DEMO_STOP), '--json']);
  procs.push(venue);
  const port = (await venue.next('listening')).port as number;
  await venue.next('feed');
  return { venue, port };
}
