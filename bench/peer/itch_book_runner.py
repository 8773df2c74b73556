"""One process of `npm run bench:peer`: itch-book's C++ core (PyPI itch-book, MIT) on the
same session held in memory, either books only (no tables) or with its top-of-book table
("bbo"). Prints one JSON line per pass (the first warms up). CPU time is this thread's
(time.thread_time): the core runs in the calling thread with the GIL released.

    python bench/peer/itch_book_runner.py SESSION.itch [books|bbo] [PASSES]
"""
import json
import sys
import time

import numpy as np
from itch_book import _core


def peak_rss_kib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return 0


def main():
    path = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else 'books'
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tables = [] if mode == 'books' else ['bbo']
    buf = np.fromfile(path, dtype=np.uint8)
    for p in range(passes):
        s = _core.Session(tables, 0, [])
        c0 = time.thread_time()
        t0 = time.perf_counter()
        s.feed(buf)
        wall = time.perf_counter() - t0
        cpu = time.thread_time() - c0
        st = s.stats()
        rows = s.rows() if tables else 0
        print(json.dumps({
            'engine': f'itch-book:{mode}', 'pass': p, 'warm': p > 0, 'wall_s': wall, 'cpu_s': cpu,
            'messages': st['messages'], 'rows': rows, 'live_orders': st['live_orders'], 'missing_ref': st['missing_ref'],
            'crossed_books': st['crossed_books'], 'peak_rss_kib': peak_rss_kib(),
        }), flush=True)
        del s


main()
