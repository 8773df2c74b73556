/**
 * A closed stdout (`riskgate decode x.bin | head`) is not an error: the reader has what it
 * wanted. The first EPIPE on stdout ends the process quietly with status 0, instead of an
 * unhandled 'error' event and its stack trace.
 */
let installed = false;

export function quietEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (installed) return;
  installed = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw e;
  });
}
