#!/usr/bin/env python3
# Usage: python3 test/vectors/tools/same-home-refs.py R0 N  → N refs (R0 first) with the home sets of R0.
# Order refs that share both home sets of spec §5 (SET_BITS from the contract): bank 0 XOR-fold and bank 1
# CRC-32C low bits. Both maps are affine over GF(2), so r0 ^ k shares r0's homes for every
# k in the kernel of their linear parts.
import sys
import os, tomllib
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'contract', 'riskgate.toml'), 'rb') as f:
    SB = next(p['default'] for p in tomllib.load(f)['params'] if p['name'] == 'SET_BITS')
def crc32c(r):
    c = 0xFFFFFFFF
    for b in r.to_bytes(8, 'little'):
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF
def fold(r):
    x = 0
    for s in range(0, 64, SB):
        x ^= (r >> s) & ((1 << SB) - 1)
    return x
def homes(r):
    return fold(r), crc32c(r) & ((1 << SB) - 1)
def lin(k):  # linear part, 32 bits
    h0, h1 = homes(k); z0, z1 = homes(0)
    return (h0 ^ z0) | ((h1 ^ z1) << SB)
# kernel of lin over GF(2)^64 by elimination on the 64 unit vectors
rows = [(lin(1 << i), 1 << i) for i in range(64)]
basis = []  # reduced (image, preimage) pairs with distinct pivots
kernel = []
for img, pre in rows:
    for bimg, bpre in basis:
        if img ^ bimg < img:
            img ^= bimg; pre ^= bpre
    if img == 0: kernel.append(pre)
    else: basis.append((img, pre))
r0 = int(sys.argv[1]); n = int(sys.argv[2])
out = [r0]
i = 1
while len(out) < n:
    k = 0
    for b in range(len(kernel)):
        if i >> b & 1: k ^= kernel[b]
    out.append(r0 ^ k); i += 1
assert all(homes(r) == homes(r0) for r in out) and len(set(out)) == n
print(' '.join(str(r) for r in out))
print('homes', homes(r0), 'kernel dim', len(kernel), file=sys.stderr)
