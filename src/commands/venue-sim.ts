/**
 * `riskgate venue-sim <file> [--port 15001] [--host 127.0.0.1] [--user NAME:PASSWORD ...]
 *                    [--session-name VENUE] [--speed max|N] [--stop-at SEQ] [--json] [--log-level L]`
 *
 * A venue to send orders to (docs/spec.md §16.9): an OUCH 5.0 / SoupBinTCP 4.0 server whose
 * orders execute against the book of the session it replays. It serves until SIGINT/SIGTERM
 * (after the session ends, or stops at --stop-at, orders still match against the book as it
 * is), then ends the day (System Event E, End of Session) and prints a summary.
 * Output: one line when listening, one when the feed stops, the summary at the end
 * (`--json`: one JSON object each). Exit: 0 ok, 2 bad options, 3/4 bad input file, 8 port in use.
 */
import { checkInput } from '../source/file.ts';
import { checkItch } from '../source/sniff.ts';
import { createLogger, LOG_LEVELS } from '../log/index.ts';
import { RiskgateError } from '../errors.ts';
import { FeedReplay, type Pace } from '../venue/feed.ts';
import { Venue } from '../venue/venue.ts';
import { DEFAULT_WARM_UP_ORDERS, warmUp } from '../order-entry/warm-up.ts';
import { HELP_OPTION, helpFor } from './help.ts';
import { intOpt, numOpt, withCodedErrors } from './kafka-options.ts';
import { parseStrict } from './strict-args.ts';
import { usageError } from './usage.ts';

export const VENUE_SIM_USAGE =
  'usage: riskgate venue-sim <file.itch[.gz]> [--port 15001] [--host 127.0.0.1] [--user NAME:PASSWORD ...] [--session-name VENUE] ' +
  '[--speed max|N] [--stop-at SEQ] [--warm-up N] [--json] [--log-level warn]';

export const VENUE_SIM_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  user: { type: 'string', multiple: true },
  'session-name': { type: 'string' },
  speed: { type: 'string' },
  'stop-at': { type: 'string' },
  'warm-up': { type: 'string' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  ...HELP_OPTION,
} as const;

export const DEFAULT_VENUE_PORT = 15001;
export const DEFAULT_VENUE_USER = { username: 'VENUE', password: 'venue' };

export const help = helpFor(VENUE_SIM_USAGE, VENUE_SIM_OPTIONS, {
  port: `<N> TCP port to listen on (default ${DEFAULT_VENUE_PORT}; 0 picks a free one, printed when listening)`,
  host: '<addr> address to listen on (default 127.0.0.1)',
  user: `<NAME:PASSWORD> a login the venue accepts (username 1-6 letters or digits, password 1-10 printable characters); default ${DEFAULT_VENUE_USER.username}:${DEFAULT_VENUE_USER.password}`,
  'session-name': '<S> SoupBinTCP session name in Login Accepted (1-10 characters, default VENUE)',
  speed: '<max|N> replay pace: max (default, as fast as possible) or the file\'s timestamps × N (1 = real time)',
  'stop-at': '<SEQ> stop the replay after message SEQ and hold the book there (orders still match against it)',
  'warm-up': `<N> before listening, send N IOC orders through a throwaway venue of its own (own port, empty book) so the first orders find the code compiled (default ${DEFAULT_WARM_UP_ORDERS}; 0: none)`,
  json: 'print the listening, feed and summary lines as JSON objects',
  'log-level': '<level> log level on stderr: fatal, error, warn (default), info, debug, trace or silent',
  help: 'print this help and exit',
}, 'Matching (docs/spec.md §16.9): a marketable order takes the opposite levels within its limit at once; the rest of an IOC\n' +
  'order is canceled; other orders rest and fill when the session prints a trade at or through their price. Serves until SIGINT/SIGTERM.\n' +
  'Exit: 0 ok, 2 bad options, 3 input missing, 4 input unreadable, 8 cannot listen.');

function users(list: readonly string[] | undefined): { username: string; password: string }[] {
  if (!list || list.length === 0) return [DEFAULT_VENUE_USER];
  const out: { username: string; password: string }[] = [];
  for (const u of list) {
    const m = /^([A-Za-z0-9]{1,6}):([\x21-\x7e]{1,10})$/.exec(u);
    if (!m) throw usageError(`--user must be NAME:PASSWORD (name 1-6 letters or digits, password 1-10 printable characters without spaces), got ${JSON.stringify(u)}`);
    if (out.some((x) => x.username === m[1])) throw usageError(`--user ${m[1]} is given twice`);
    out.push({ username: m[1], password: m[2] });
  }
  return out;
}

export async function venueSimCommand(argv: string[]): Promise<number> {
  return withCodedErrors('venue-sim', async () => {
    const { values, positionals } = parseStrict('venue-sim', argv, VENUE_SIM_OPTIONS);
    if (positionals.length !== 1) throw usageError(VENUE_SIM_USAGE);
    const file = positionals[0];
    const port = intOpt('--port', values.port) ?? DEFAULT_VENUE_PORT;
    if (port > 65535) throw usageError('--port must be 0..65535');
    let pace: Pace = 'max';
    if (values.speed !== undefined && values.speed !== 'max') {
      const n = numOpt('--speed', values.speed)!;
      if (!(n > 0)) throw usageError('--speed must be max or a positive number (1 = the file\'s real time)');
      pace = n;
    }
    const stopAt = intOpt('--stop-at', values['stop-at']);
    if (stopAt !== undefined && stopAt < 1) throw usageError('--stop-at must be a message seq ≥ 1');
    const sessionName = values['session-name'];
    if (sessionName !== undefined && !/^[\x21-\x7e]{1,10}$/.test(sessionName)) throw usageError('--session-name must be 1-10 printable characters without spaces');
    const level = values['log-level'] ?? 'warn';
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const sessions = users(values.user);
    checkInput(file);
    await checkItch(file);

    const out = (event: string, text: string, data: Record<string, unknown>) =>
      process.stdout.write(`${values.json ? JSON.stringify({ event, ...data }) : text}\n`);
    const warm = intOpt('--warm-up', values['warm-up']) ?? DEFAULT_WARM_UP_ORDERS;
    const warmed = warm > 0 ? await warmUp(warm, ['AAPL', 'MSFT', 'NVDA', 'AMD'], true) : null;
    const venue = new Venue({ sessions, host: values.host, port, sessionName, log: createLogger({ level, name: 'venue-sim' }) });
    let addr;
    try {
      addr = await venue.start();
    } catch (e) {
      throw new RiskgateError('SERVICE_UNAVAILABLE', `cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    out('listening', `venue-sim listening on ${addr.address}:${addr.port} (OUCH 5.0 over SoupBinTCP 4.0; users ${sessions.map((s) => s.username).join(', ')}); replaying ${file}`, {
      host: addr.address, port: addr.port, users: sessions.map((s) => s.username), file, warmUp: warmed,
    });

    const feed = new FeedReplay(file, venue, pace);
    let signalled = false;
    const stopped = new Promise<void>((resolve) => {
      const on = () => {
        signalled = true;
        feed.stop();
        resolve();
      };
      process.once('SIGINT', on);
      process.once('SIGTERM', on);
    });
    try {
      const pos = await feed.advance(stopAt);
      if (!signalled) {
        const why = pos.ended ? 'the session ended' : `stopped at --stop-at ${stopAt}`;
        out('feed', `feed         ${why} after message ${pos.seq}; serving orders against the book as it is (Ctrl-C ends)`, { seq: pos.seq, ended: pos.ended, timestampNs: venue.timestampNs.toString() });
        await stopped;
      }
    } catch (e) {
      await venue.close();
      if (e instanceof RiskgateError) throw e;
      throw new RiskgateError('INPUT_UNREADABLE', `cannot replay ${file}: ${(e as Error).message}`);
    }
    await venue.close();
    const s = venue.stats();
    const t = s.ouch.totals;
    const problems = feed.problems.total('error') + feed.problems.total('warning');
    out('summary', [
      `messages     ${s.messages.toLocaleString('en-US')} applied, ${s.prints.toLocaleString('en-US')} trades printed` +
        (problems ? `; input problems: ${[...feed.problems.counts].map(([k, c]) => `${k} ×${c.count}`).join(', ')}` : ''),
      `orders       ${t.accepted} accepted, ${t.replaced} replaced, ${t.canceled} canceled (${s.iocCanceled} IOC shares), ${t.INVALID_ORDER} invalid, ` +
        `${t.DUPLICATE_USER_REF_NUM + t.USER_REF_NUM_OUT_OF_SEQUENCE} rejected for a used or out-of-sequence UserRefNum`,
      `executions   ${s.executions} (${s.sharesExecuted.toLocaleString('en-US')} shares)${s.inconsistencies ? `; ${s.inconsistencies} INCONSISTENCIES (a bug)` : ''}`,
      `sessions     ${t.logins} logins, ${t.connections} connections`,
    ].join('\n'), {
      messages: s.messages, prints: s.prints, executions: s.executions, sharesExecuted: s.sharesExecuted, iocCanceled: s.iocCanceled,
      inconsistencies: s.inconsistencies, ouch: s.ouch.totals,
      problems: { errors: feed.problems.summary('error'), warnings: feed.problems.summary('warning') },
    });
    return 0;
  });
}
