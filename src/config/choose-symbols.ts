/**
 * The symbols a `replay` or `book` run trades: the config's, or `--symbols` (a list, or the
 * file's N busiest from a first pass that streams the file). One place for both commands.
 */
import { RiskgateError } from '../errors.ts';
import { progressBar } from '../progress.ts';
import { configForSymbols, type Config } from './index.ts';
import { parseSymbolsOption, scanSymbols, SymbolCounter, topSymbols } from './subscription.ts';

export interface ChosenSymbols {
  config: Config;
  /** How the symbols were chosen, for the report. */
  chosenBy: string;
  /** Messages per symbol: the first pass's counts, or an empty counter the run fills as it goes. */
  seen: SymbolCounter;
  /** True when `seen` already holds the whole file's counts (a first pass ran). */
  scanned: boolean;
}

export async function chooseSymbols(config: Config, configPath: string | undefined, file: string, symbols: string | undefined, showProgress: boolean): Promise<ChosenSymbols> {
  if (symbols === undefined) return { config, chosenBy: `config ${configPath ?? 'config/default.json'}`, seen: new SymbolCounter(), scanned: false };
  const opt = parseSymbolsOption(symbols);
  if (!('top' in opt)) return { config: configForSymbols(config, opt.names), chosenBy: '--symbols', seen: new SymbolCounter(), scanned: false };
  const scan = showProgress ? progressBar(`scan ${file} for its busiest symbols`) : undefined;
  const counter = await scanSymbols(file, scan?.update);
  scan?.done();
  const names = topSymbols(counter, opt.top);
  if (names.length === 0) throw new RiskgateError('USAGE', `--symbols top:${opt.top}: ${file} has no stock directory (R messages) to pick symbols from; name them with --symbols A,B,…`);
  return { config: configForSymbols(config, names), chosenBy: `top:${opt.top} of the file`, seen: counter, scanned: true };
}
