# Writes test/vectors/33-dropped-first-add-sets-window.json (spec §4/§5), spelled out.
import json
import subprocess, os
HERE = os.path.dirname(os.path.abspath(__file__))
refs = subprocess.run(['python3', os.path.join(HERE, 'same-home-refs.py'), '5', '28'], capture_output=True, text=True, check=True).stdout.split()
BOOK = 24
I, E = [], []
seq = 0
def msg(m):
    global seq
    if m.get("type") != "~": seq += 1; m = {"seq": seq, **m}
    I.append(m); return seq
def tob(seq, ts, sym, flags, bid, bsz, ask, asz, why=None):
    r = {"kind": "TOB", "seq": seq, "ts": ts, "symbol": sym, "flags": flags, "bidPx": bid, "bidSz": bsz, "askPx": ask, "askSz": asz}
    if why: r["why"] = why
    E.append(r)
msg({"type": "R", "locate": 1, "ts": 10, "stock": "TEST"})
msg({"type": "R", "locate": 2, "ts": 20, "stock": "OTHR"})
for k in range(BOOK):
    s = msg({"type": "A", "locate": 2, "ts": 1000 * (k + 1), "ref": refs[k], "side": "B", "shares": 1, "stock": "OTHR", "price": "20.0000"})
    tob(s, 1000 * (k + 1), 1, [], "20.0000", k + 1, "0.0000", 0)
s = msg({"type": "A", "locate": 1, "ts": 30000, "ref": refs[24], "side": "B", "shares": 100, "stock": "TEST", "price": "100.0000", "why": "TEST's first on-tick add: base_q[0] := 10000 − 2048 = 7952; then dropped (home sets and stash full of OTHR orders) → ghost: COLLISION for TEST, no book change"})
tob(s, 30000, 0, ["COLLISION"], "0.0000", 0, "0.0000", 0, "tuple still zero, flags changed → TOB")
s = msg({"type": "A", "locate": 1, "ts": 31000, "ref": "6", "side": "B", "shares": 100, "stock": "TEST", "price": "20.0000", "why": "q=2000 < 7952 → BELOW bid, bid window empty → BAND_BID (with base 0 it would be IN and the best bid)"})
tob(s, 31000, 0, ["BAND_BID", "COLLISION"], "0.0000", 0, "0.0000", 0)
msg({"type": "~", "op": "CLEAR_COLLISION", "target": 0, "effectiveSeq": seq + 1, "value": 0, "why": "frees TEST's ghost"})
E.append({"kind": "CONTROL", "seq": seq + 1, "ts": 31000, "symbol": 0, "op": "CLEAR_COLLISION", "target": 0, "value": "0"})
s = msg({"type": "A", "locate": 1, "ts": 32000, "ref": "7", "side": "S", "shares": 100, "stock": "TEST", "price": "100.1000", "why": "IN idx 2058; BAND_BID remains (BELOW bid, bid window empty)"})
tob(s, 32000, 0, ["BAND_BID"], "0.0000", 0, "100.1000", 100)
s = msg({"type": "A", "locate": 1, "ts": 33000, "ref": "8", "side": "B", "shares": 100, "stock": "TEST", "price": "100.0000", "why": "IN idx 2048; bid window non-empty → flags 0"})
tob(s, 33000, 0, [], "100.0000", 100, "100.1000", 100, "spread 1000 > 500 → no order")
msg({"type": "D", "locate": 1, "ts": 34000, "ref": "6", "why": "BELOW order removed: flags stay 0, tuple unchanged → no TOB"})
v = {
  "name": "dropped-first-add-sets-window",
  "description": "§5: a dropped add has already run the window rule — a dropped first on-tick add still sets the window. OTHR fills both home sets of ref 5 and the stash with 24 orders (refs from test/vectors/tools/same-home-refs.py 5 28, as in 09-collision); TEST's very first add ($100.00 → q=10000), on the same home sets, is dropped into the ghost list (COLLISION for TEST only) but sets TEST's base to 10000−2048 = 7952. TEST's next bid at $20.00 (q=2000) is therefore BELOW, not IN (with base 0 it would have been the best bid at 20.0000).",
  "configBase": "configs/one-symbol.json",
  "configOverrides": {"symbols": {"1": {"symbol": "OTHR", "account": "ACC", "maxQty": 1000, "maxNotional": "50000.00", "positionLimit": 5000, "collarBps": 30}}},
  "input": I, "expected": E,
  "stats": {"messages": seq, "tob": sum(1 for r in E if r["kind"] == "TOB"), "tableFull": 1, "ghostInserts": 1, "stashInserts": 16, "flagged": 3, "controls": 1, "why": "flagged: the ghost add (COLLISION), the BELOW bid (COLLISION, BAND_BID), the ask (BAND_BID)"},
}
open(os.path.join(HERE, '..', '33-dropped-first-add-sets-window.json'), 'w').write(json.dumps(v, indent=2, ensure_ascii=False) + '\n')
