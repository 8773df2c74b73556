// Preloaded into a riskgate child by tests (`node --require` this file): writes one line on
// stderr when the process attaches its first SIGINT or SIGTERM listener — bin/riskgate.js's
// first lines. A signal sent before that moment meets no handler of ours (the default action
// kills the process), so a test that signals "right after the start" waits for this line
// instead of guessing how long node takes to boot on a loaded machine.
'use strict';
const { writeSync } = require('node:fs');

const told = new Set();
process.on('newListener', (event) => {
  // 'newListener' is emitted before the listener is added, but node's own newListener hook
  // (registered at bootstrap, so called first) has already installed the OS handler, and a
  // signal is dispatched to JS listeners only on a later event-loop turn.
  if ((event === 'SIGINT' || event === 'SIGTERM') && !told.has(event)) {
    told.add(event);
    writeSync(2, `signal-ready: ${event} handled\n`);
  }
});
