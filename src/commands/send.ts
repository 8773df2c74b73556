/**
 * `riskgate send --to host:port --user U --password P [--csv orders.csv] [--json] [--wait-ms 500]
 *                [--first-ref N] [--timeout-ms 5000] [ORDER ...]`
 *
 * Sends orders over OUCH 5.0 / SoupBinTCP 4.0 with riskgate/client (manual testing of the
 * venue simulator, later of the gateway): from the command line (src/send/orders.ts) and/or a
 * CSV file, one at a time, each waiting for its answer. Every answer is printed as one line
 * (`--json`: one JSON object a line); after the last order it waits --wait-ms for executions
 * and cancels still to come, then logs out.
 * Exit: 0 ok, 2 bad options or orders, 3 CSV file missing, 8 cannot connect or no answer,
 * 10 login refused.
 */
import { readFileSync } from 'node:fs';
import { LoginRejectedError, OuchClient, type Answer } from '../client/index.ts';
import { CodedError, ExitCode, RiskgateError } from '../errors.ts';
import { formatPrice } from '../itch/decode.ts';
import { parseCommandLineOrders, parseCsvOrders, type SendAction } from '../send/orders.ts';
import { hostPort } from './feed-sim.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { intOpt, withCodedErrors } from './kafka-options.ts';
import { parseStrict } from './strict-args.ts';
import { usageError } from './usage.ts';

export const SEND_USAGE =
  'usage: riskgate send --to host:port --user U --password P [--csv orders.csv] [--json] [--wait-ms 500] [--first-ref N] [--timeout-ms 5000] ' +
  '[buy|sell|short|exempt QTY SYMBOL@PRICE [day|ioc]] [cancel REF [LEAVE]] [replace REF QTY@PRICE [day|ioc]] ...';

export const SEND_OPTIONS = {
  to: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  csv: { type: 'string' },
  json: { type: 'boolean' },
  'wait-ms': { type: 'string' },
  'first-ref': { type: 'string' },
  'timeout-ms': { type: 'string' },
  ...HELP_OPTION,
} as const;

export const help = helpFor(SEND_USAGE, SEND_OPTIONS, {
  to: '<host:port> the OUCH server: riskgate venue-sim (or, later, the gateway) (required)',
  user: '<U> SoupBinTCP username (required)',
  password: '<P> SoupBinTCP password (required)',
  csv: '<file> orders from a CSV file: header symbol,side,qty,price[,tif][,userRefNum], sent before the command-line orders',
  json: 'print each answer as one JSON object a line',
  'wait-ms': '<ms> after the last order, wait this long for executions and cancels still to come (default 500)',
  'first-ref': '<N> UserRefNum of the first order (default: the session\'s next one, asked with an OUCH Account Query, so that later runs of one session go on increasing)',
  'timeout-ms': '<ms> how long to wait for the login and for each order\'s answer (default 5000)',
  help: 'print this help and exit',
}, 'Orders: buy|sell|short|exempt QTY SYMBOL@PRICE [day|ioc] enters an order; cancel REF [LEAVE] cancels down to LEAVE shares;\n' +
  'replace REF QTY@PRICE [day|ioc] replaces an order. A UserRefNum the session already used is answered Order Rejected OTHER (the\n' +
  'server\'s Debug says why); a cancel that leaves at least the open shares gets no answer (OUCH): send then ends with NO_ANSWER and what the server said. Exit: 0 ok, 2 bad options or orders, 3 CSV file missing, 8 cannot connect or no answer, 10 login refused.');

/** A field value as printed: prices in dollars, u64 as decimal. */
function show(name: string, v: unknown): string {
  if (name === 'price' && typeof v === 'bigint') return formatPrice(Number(v));
  return String(v);
}

export function formatAnswer(a: Answer): string {
  const fields = Object.entries(a.values).filter(([k]) => k !== 'type' && k !== 'appendageLength');
  return `${a.kind.padEnd(15)} seq=${a.seq} ${fields.map(([k, v]) => `${k}=${show(k, v)}`).join(' ')}`;
}

export function answerJson(a: Answer): string {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a.values)) values[k] = typeof v === 'bigint' ? (k === 'price' ? formatPrice(Number(v)) : v.toString()) : v;
  return JSON.stringify({ seq: a.seq.toString(), kind: a.kind, ...values });
}

export async function sendCommand(argv: string[]): Promise<number> {
  return withCodedErrors('send', async () => {
    const { values, positionals } = parseStrict('send', argv, SEND_OPTIONS);
    if (!values.to || !values.user || values.password === undefined) throw usageError(`--to, --user and --password are required\n${SEND_USAGE}`);
    const to = hostPort('--to', values.to);
    const waitMs = intOpt('--wait-ms', values['wait-ms']) ?? 500;
    const timeoutMs = intOpt('--timeout-ms', values['timeout-ms']) ?? 5000;
    const firstRef = intOpt('--first-ref', values['first-ref']);
    if (firstRef !== undefined && (firstRef < 1 || firstRef > 0xffffffff)) throw usageError('--first-ref must be 1..4294967295');
    const actions: SendAction[] = [];
    if (values.csv !== undefined) {
      let text: string;
      try {
        text = readFileSync(values.csv, 'utf8');
      } catch (e) {
        throw new RiskgateError('INPUT_MISSING', `cannot read ${values.csv}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      actions.push(...parseCsvOrders(text, values.csv));
    }
    actions.push(...parseCommandLineOrders(positionals));
    if (actions.length === 0) throw usageError(`no orders: give them on the command line or with --csv\n${SEND_USAGE}`);

    let client: OuchClient;
    try {
      client = await OuchClient.connect({ host: to.host, port: to.port, username: values.user, password: values.password, firstUserRefNum: firstRef, connectTimeoutMs: timeoutMs });
    } catch (e) {
      if (e instanceof LoginRejectedError) throw new RiskgateError('AUTH_REFUSED', `${to.host}:${to.port} refused the login of ${JSON.stringify(values.user)} (SoupBinTCP reject code ${e.reason}: ${e.reason === 'A' ? 'unknown username or wrong password' : 'session not available'})`);
      const refused = /ECONNREFUSED/.test((e as Error).message);
      throw new RiskgateError('SERVICE_UNAVAILABLE', refused
        ? `cannot connect to ${to.host}:${to.port}: connection refused (is riskgate venue-sim listening there?)`
        : `cannot log in to ${to.host}:${to.port}: ${(e as Error).message}`);
    }
    let printed = 0;
    if (firstRef === undefined) {
      // Continue the session's numbering (OUCH Account Query); its answer is not an order's, not printed.
      try {
        await client.continueNumbering(timeoutMs);
      } catch (e) {
        client.destroy();
        throw new CodedError('NO_ANSWER', ExitCode.SERVICE_UNAVAILABLE, `the Account Query for the session's next UserRefNum: ${(e as Error).message} (give --first-ref N to choose it)`);
      }
      printed = client.answers.length;
    }
    const flush = () => {
      for (; printed < client.answers.length; printed++) {
        const a = client.answers[printed];
        process.stdout.write(`${values.json ? answerJson(a) : formatAnswer(a)}\n`);
      }
    };
    try {
      for (const act of actions) {
        let wait: Promise<Answer>;
        if (act.kind === 'enter') {
          const ref = client.enter({ side: act.side, quantity: act.quantity, symbol: act.symbol, price: act.price, timeInForce: act.timeInForce, userRefNum: act.userRefNum });
          wait = client.answer(ref, timeoutMs);
        } else if (act.kind === 'replace') {
          const ref = client.replace(act.origUserRefNum, { quantity: act.quantity, price: act.price, timeInForce: act.timeInForce });
          wait = client.answer(ref, timeoutMs);
        } else {
          const seen = client.answers.length;
          client.cancel(act.userRefNum, act.leave);
          wait = client.waitFor((a) => client.answers.indexOf(a) >= seen && (a.kind === 'ORDER_CANCELED' || a.kind === 'CANCEL_REJECT') && a.values.userRefNum === act.userRefNum, timeoutMs);
        }
        try {
          await wait;
        } catch (e) {
          flush();
          const notes = client.debug.length ? `; the server said: ${client.debug.slice(-3).join(' | ')}` : '';
          throw new CodedError('NO_ANSWER', ExitCode.SERVICE_UNAVAILABLE, `${act.where}: no answer within ${timeoutMs} ms (${(e as Error).message})${notes}`);
        }
        flush();
      }
      const until = Date.now() + waitMs;
      while (Date.now() < until && client.closedReason === null) {
        await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, until - Date.now()))));
        flush();
      }
      flush();
    } finally {
      if (client.closedReason === null) await Promise.race([client.logout(), new Promise((r) => setTimeout(r, 1000).unref())]);
      else client.destroy();
    }
    return 0;
  });
}
