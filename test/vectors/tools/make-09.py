# Writes test/vectors/09-collision.json: the hand computation of spec §5's overflow path, spelled out.
import json
import subprocess, os
HERE = os.path.dirname(os.path.abspath(__file__))
refs = subprocess.run(['python3', os.path.join(HERE, 'same-home-refs.py'), '5', '28'], capture_output=True, text=True, check=True).stdout.split()
W, STASH = 4, 16
BOOK = 2 * W + STASH  # 24 places: bank 0 set, bank 1 set, stash
I, E = [], []
def tob(seq, ts, sym, flags, bid, bsz, ask, asz, why=None):
    r = {"kind": "TOB", "seq": seq, "ts": ts, "symbol": sym, "flags": flags, "bidPx": bid, "bidSz": bsz, "askPx": ask, "askSz": asz}
    if why: r["why"] = why
    E.append(r)
seq = 0
def msg(m):
    global seq
    if m.get("type") != "~": seq += 1; m = {"seq": seq, **m}
    I.append(m); return seq
msg({"type": "R", "locate": 1, "ts": 10, "stock": "TEST"})
for k in range(BOOK):
    where = "bank 0" if k < W else "bank 1" if k < 2 * W else f"stash slot {k - 2 * W}"
    s = msg({"type": "A", "locate": 1, "ts": 1000 * (k + 1), "ref": refs[k], "side": "B", "shares": 1, "stock": "TEST", "price": "10.0000", "why": f"home sets full up to here → {where}"})
    tob(s, 1000 * (k + 1), 0, [], "10.0000", k + 1, "0.0000", 0)
s = msg({"type": "A", "locate": 1, "ts": 25000, "ref": refs[24], "side": "B", "shares": 1, "stock": "TEST", "price": "10.0000", "why": "both sets and the stash full → dropped: ghost slot 0, table_full 1; the book keeps 24 shares"})
tob(s, 25000, 0, ["COLLISION"], "10.0000", 24, "0.0000", 0, "tuple unchanged, flags changed → TOB (record version 2)")
s = msg({"type": "A", "locate": 1, "ts": 26000, "ref": "6", "side": "S", "shares": 100, "stock": "TEST", "price": "10.0500", "why": "home set 6 (bank 0): a book order"})
tob(s, 26000, 0, ["COLLISION"], "10.0000", 24, "10.0500", 100, "flagged → the strategy does not run")
s = msg({"type": "E", "locate": 1, "ts": 27000, "ref": refs[24], "shares": 1, "match": 1, "why": "found as a ghost: last_trade := its price 100000; 0 shares left → freed; no ghost of TEST left → COLLISION clears by itself (collision_clears 1)"})
tob(s, 27000, 0, [], "10.0000", 24, "10.0500", 100, "flags changed back to 0")
E.append({"kind": "DECISION", "seq": s, "ts": 27000, "symbol": 0, "side": "S", "price": "10.0000", "qty": 24, "reasons": [], "accepted": True, "account": 0, "accountId": 501, "why": "spread 500 ≤ 500; 100 ≥ 24×3 → sell min(24, 3000) at the bid; the reference price comes from the ghost's execution (no NO_REF); collar 0"})
E.append({"kind": "FILL", "seq": s, "ts": 27000, "symbol": 0, "side": "S", "price": "10.0000", "qty": 24, "position": -24, "leg": 0, "account": 0})
msg({"type": "D", "locate": 1, "ts": 28000, "ref": refs[24], "why": "the ghost is gone: unknown_ref 1"})
s = msg({"type": "D", "locate": 1, "ts": 29000, "ref": refs[8], "why": "stash slot 0 frees; bid 23"})
tob(s, 29000, 0, [], "10.0000", 23, "10.0500", 100, "cooldown (1000 s) → no order")
s = msg({"type": "A", "locate": 1, "ts": 30000, "ref": refs[25], "side": "B", "shares": 1, "stock": "TEST", "price": "10.0000", "why": "sets full, stash slot 0 free → stash (stash_inserts 17)"})
tob(s, 30000, 0, [], "10.0000", 24, "10.0500", 100)
s = msg({"type": "A", "locate": 1, "ts": 31000, "ref": refs[26], "side": "B", "shares": 1, "stock": "TEST", "price": "10.0000", "why": "all full again → ghost (table_full 2)"})
tob(s, 31000, 0, ["COLLISION"], "10.0000", 24, "10.0500", 100)
msg({"type": "~", "op": "CLEAR_COLLISION", "target": 0, "effectiveSeq": seq + 1, "value": 0, "why": "frees TEST's ghost; not counted in collision_clears"})
E.append({"kind": "CONTROL", "seq": seq + 1, "ts": 31000, "symbol": 0, "op": "CLEAR_COLLISION", "target": 0, "value": "0", "why": "seq = S, ts = last_ts"})
s = msg({"type": "X", "locate": 1, "ts": 32000, "ref": "6", "shares": 1, "why": "flags 0 again"})
tob(s, 32000, 0, [], "10.0000", 24, "10.0500", 99)
msg({"type": "D", "locate": 1, "ts": 33000, "ref": refs[26], "why": "freed by CLEAR_COLLISION: unknown_ref 2"})
msg({"type": "R", "locate": 2, "ts": 34000, "stock": "OTHR"})
s = msg({"type": "A", "locate": 2, "ts": 35000, "ref": refs[27], "side": "B", "shares": 100, "stock": "OTHR", "price": "20.0000", "why": "same home sets, full of TEST orders → OTHR's order is a ghost: COLLISION for OTHR only (table_full 3)"})
tob(s, 35000, 1, ["COLLISION"], "0.0000", 0, "0.0000", 0, "OTHR's tuple is still zero; the flags changed")
s = msg({"type": "A", "locate": 2, "ts": 36000, "ref": "7", "side": "S", "shares": 100, "stock": "OTHR", "price": "20.1000"})
tob(s, 36000, 1, ["COLLISION"], "0.0000", 0, "20.1000", 100)
s = msg({"type": "X", "locate": 1, "ts": 37000, "ref": "6", "shares": 1, "why": "TEST is not affected by OTHR's ghost"})
tob(s, 37000, 0, [], "10.0000", 24, "10.0500", 98)
v = {
  "name": "collision",
  "description": f"Order-table overflow (spec §5, SET_BITS 17, WAYS 4, STASH_SLOTS 16, GHOST_SLOTS 16). The refs 5, {refs[1]}, … all share bank-0 home set 5 (XOR-fold of 17-bit slices) and one bank-1 home set (low 17 bits of CRC-32C of the 8 little-endian bytes): r ^ k for k in the kernel of both affine maps (printed by test/vectors/tools/same-home-refs.py 5 28; any CRC-32C tool checks them). 4 fill bank 0's set, 4 bank 1's, 16 the stash; the 25th is dropped from the book into the ghost list and COLLISION rises (a TOB for the flags change alone, record version 2). Its execution sets the reference price and frees it: COLLISION clears by itself, the strategy trades. A freed stash slot takes the next order; the next one is a ghost again, which CLEAR_COLLISION frees. Another symbol whose order lands on the full home sets gets COLLISION alone. Cooldown 1000 s keeps one decision.",
  "configBase": "configs/one-symbol.json",
  "configOverrides": {"strategy": {"cooldownNs": 1000000000000}, "symbols": {"1": {"symbol": "OTHR", "account": "ACC", "maxQty": 1000, "maxNotional": "50000.00", "positionLimit": 5000, "collarBps": 30}}},
  "input": I, "expected": E,
  "stats": {"messages": seq, "tob": sum(1 for r in E if r["kind"] == "TOB"), "tableFull": 3, "stashInserts": 17, "ghostInserts": 3, "untrackedDrops": 0, "collisionClears": 1, "livePeak": 26, "stashPeak": 16, "ghostPeak": 1, "unknownRef": 2, "flagged": 5, "controls": 1, "decisions": 1, "accepted": 1},
}
open(os.path.join(HERE, '..', '09-collision.json'), 'w').write(json.dumps(v, indent=2, ensure_ascii=False) + '\n')
print(seq, len(I))
