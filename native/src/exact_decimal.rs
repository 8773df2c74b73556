//! decimal.js arithmetic at its default configuration (20 significant digits, ROUND_HALF_UP),
//! bit for bit, for the replay's P&L (pnl_book.rs): the same operations as
//! src/clearing/exact.ts (`DxContext`), each result rounded exactly as decimal.js rounds it.
//! Values are `(−1)^neg × c × 10^e` with a coefficient of at most 21 digits (a rounded result
//! has 20, or is 10^20 after a carry); intermediate results are exact in a 384-bit integer
//! (115 digits), which holds every operand alignment up to the 70-digit gap exact.ts handles
//! exactly (farther apart, the smaller operand only decides the rounding as a sticky digit).

/// Significant digits of every result (decimal.js's default precision).
pub const PRECISION: u32 = 20;
/// Operands farther apart than this many digits are added with the smaller as a sticky digit.
const MAX_GAP: u32 = 2 * PRECISION + 30;
const TEN19: u64 = 10_000_000_000_000_000_000;

/// An exact decimal value; zero is `c == 0` with `neg == false`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec {
    pub neg: bool,
    pub c: u128,
    pub e: i32,
}

pub const ZERO: Dec = Dec { neg: false, c: 0, e: 0 };

impl Dec {
    /// `n × 10^e` for an integer n ≥ 0.
    pub fn int(n: u128, e: i32) -> Dec {
        Dec { neg: false, c: n, e }
    }
    pub fn is_zero(&self) -> bool {
        self.c == 0
    }
    pub fn negated(self) -> Dec {
        if self.c == 0 {
            self
        } else {
            Dec { neg: !self.neg, ..self }
        }
    }
}

/// An unsigned 384-bit integer, little-endian 64-bit limbs: the exact intermediate results.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Wide([u64; 6]);

impl Wide {
    fn from_u128(x: u128) -> Wide {
        Wide([x as u64, (x >> 64) as u64, 0, 0, 0, 0])
    }
    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }
    fn to_u128(self) -> Option<u128> {
        if self.0[2..].iter().any(|&l| l != 0) {
            return None;
        }
        Some(self.0[0] as u128 | (self.0[1] as u128) << 64)
    }
    /// self × m; the callers' operands never overflow 384 bits (checked).
    fn mul_small(&mut self, m: u64) {
        let mut carry = 0u128;
        for l in self.0.iter_mut() {
            let t = *l as u128 * m as u128 + carry;
            *l = t as u64;
            carry = t >> 64;
        }
        assert!(carry == 0, "exact decimal: intermediate beyond 384 bits");
    }
    fn mul_pow10(&mut self, mut k: u32) {
        while k >= 19 {
            self.mul_small(TEN19);
            k -= 19;
        }
        if k > 0 {
            self.mul_small(10u64.pow(k));
        }
    }
    /// self / d, returning the remainder.
    fn div_small(&mut self, d: u64) -> u64 {
        let mut rem = 0u128;
        for l in self.0.iter_mut().rev() {
            let cur = rem << 64 | *l as u128;
            *l = (cur / d as u128) as u64;
            rem = cur % d as u128;
        }
        rem as u64
    }
    /// self / 10^k; true when the remainder is not zero.
    fn div_pow10(&mut self, mut k: u32) -> bool {
        let mut below = false;
        while k >= 19 {
            below |= self.div_small(TEN19) != 0;
            k -= 19;
        }
        if k > 0 {
            below |= self.div_small(10u64.pow(k)) != 0;
        }
        below
    }
    fn add(&mut self, o: &Wide) {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            let (s1, c1) = a.overflowing_add(*b);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *a = s2;
            carry = c1 || c2;
        }
        assert!(!carry, "exact decimal: intermediate beyond 384 bits");
    }
    /// self − o for self ≥ o.
    fn sub(&mut self, o: &Wide) {
        let mut borrow = false;
        for (a, b) in self.0.iter_mut().zip(o.0.iter()) {
            let (d1, b1) = a.overflowing_sub(*b);
            let (d2, b2) = d1.overflowing_sub(borrow as u64);
            *a = d2;
            borrow = b1 || b2;
        }
        debug_assert!(!borrow);
    }
    fn cmp(&self, o: &Wide) -> std::cmp::Ordering {
        for i in (0..6).rev() {
            if self.0[i] != o.0[i] {
                return self.0[i].cmp(&o.0[i]);
            }
        }
        std::cmp::Ordering::Equal
    }
    /// Decimal digits (1 for 0).
    fn digits(&self) -> u32 {
        let mut x = *self;
        let mut d = 0;
        while let None | Some(10_000_000_000_000_000_000..) = x.to_u128() {
            x.div_small(TEN19);
            d += 19;
        }
        d + digits_u128(x.to_u128().unwrap_or(0))
    }
}

/// Decimal digits of x (1 for 0).
pub fn digits_u128(x: u128) -> u32 {
    if x == 0 {
        1
    } else {
        x.ilog10() + 1
    }
}

/// `(−1)^neg × m × 10^e` rounded to PRECISION digits, half up. Half up depends on the first
/// dropped digit alone, so a division's non-zero remainder (exact.ts's `sticky`) never matters.
fn round(neg: bool, m: Wide, e: i32) -> Dec {
    if let Some(x) = m.to_u128() {
        return round_u128(neg, x, e);
    }
    if m.is_zero() {
        return ZERO;
    }
    let d = m.digits();
    if d <= PRECISION {
        return Dec { neg, c: m.to_u128().expect("≤ 20 digits"), e };
    }
    let shift = d - PRECISION;
    let mut r = m;
    r.div_pow10(shift - 1);
    let first_dropped = r.div_small(10);
    let mut c = r.to_u128().expect("20 digits");
    if first_dropped >= 5 {
        c += 1;
    }
    Dec { neg, c, e: e + shift as i32 }
}

/// 10^k for k ≤ 38.
const fn pow10(k: u32) -> u128 {
    10u128.pow(k)
}

/// `round` for an m that fits 128 bits (nearly always): one division.
fn round_u128(neg: bool, m: u128, e: i32) -> Dec {
    if m == 0 {
        return ZERO;
    }
    let d = m.ilog10() + 1;
    if d <= PRECISION {
        return Dec { neg, c: m, e };
    }
    let shift = d - PRECISION;
    let p = pow10(shift);
    let mut c = m / p;
    // Half up: the dropped digits m − c·p at least half a unit of the last kept digit.
    if m - c * p >= p / 2 {
        c += 1;
    }
    Dec { neg, c, e: e + shift as i32 }
}

pub fn times_int(a: Dec, n: u64) -> Dec {
    if a.is_zero() || n == 0 {
        return ZERO;
    }
    if let Some(m) = a.c.checked_mul(n as u128) {
        return round_u128(a.neg, m, a.e);
    }
    let mut m = Wide::from_u128(a.c);
    m.mul_small(n);
    round(a.neg, m, a.e)
}

pub fn plus(a: Dec, b: Dec) -> Dec {
    if b.is_zero() {
        return round(a.neg, Wide::from_u128(a.c), a.e);
    }
    if a.is_zero() {
        return round(b.neg, Wide::from_u128(b.c), b.e);
    }
    let (hi, lo) = if a.e >= b.e { (a, b) } else { (b, a) };
    let gap = (hi.e as i64 - lo.e as i64) as u64;
    if gap > MAX_GAP as u64 {
        // lo < 10^(21 + lo.e) is far below one unit of hi × 10^s at exponent hi.e − s (s ≤ 22):
        // the exact sum lies strictly between hi × 10^s and hi × 10^s ± 1, which rounds the same
        // way as that endpoint (at least PRECISION + 2 digits: no rounding boundary between).
        let s = 2.max(PRECISION + 2 - digits_u128(hi.c).min(PRECISION));
        let mut m = Wide::from_u128(hi.c);
        m.mul_pow10(s);
        if hi.neg == lo.neg {
            m.add(&Wide::from_u128(1));
        } else {
            m.sub(&Wide::from_u128(1));
        }
        return round(hi.neg, m, hi.e - s as i32);
    }
    if gap <= 38 {
        if let Some(h) = hi.c.checked_mul(pow10(gap as u32)) {
            let e = lo.e;
            if hi.neg == lo.neg {
                if let Some(sum) = h.checked_add(lo.c) {
                    return round_u128(hi.neg, sum, e);
                }
            } else {
                return match h.cmp(&lo.c) {
                    std::cmp::Ordering::Equal => ZERO,
                    std::cmp::Ordering::Greater => round_u128(hi.neg, h - lo.c, e),
                    std::cmp::Ordering::Less => round_u128(lo.neg, lo.c - h, e),
                };
            }
        }
    }
    let mut h = Wide::from_u128(hi.c);
    h.mul_pow10(gap as u32);
    let l = Wide::from_u128(lo.c);
    let e = lo.e;
    if hi.neg == lo.neg {
        h.add(&l);
        return round(hi.neg, h, e);
    }
    match h.cmp(&l) {
        std::cmp::Ordering::Equal => ZERO,
        std::cmp::Ordering::Greater => {
            h.sub(&l);
            round(hi.neg, h, e)
        }
        std::cmp::Ordering::Less => {
            let mut r = l;
            r.sub(&h);
            round(lo.neg, r, e)
        }
    }
}

pub fn minus(a: Dec, b: Dec) -> Dec {
    plus(a, b.negated())
}

/// a / n for an integer n ≥ 1: the quotient to at least PRECISION + 1 digits, then rounded
/// (a remainder only ever matters below the first dropped digit, so half up ignores it).
pub fn divided_by_int(a: Dec, n: u64) -> Dec {
    assert!(n > 0, "divided_by_int by zero");
    if a.is_zero() {
        return ZERO;
    }
    let k = (PRECISION + 1 + digits_u128(n as u128)).saturating_sub(digits_u128(a.c));
    // a.c × 10^k has max(digits(a.c), 21 + digits(n)) digits: 37 for the positions here
    // (n < 2^53), within 128 bits; the wide path covers larger divisors.
    if let Some(m) = a.c.checked_mul(pow10(k.min(38))).filter(|_| k <= 38) {
        return round_u128(a.neg, m / n as u128, a.e - k as i32);
    }
    let mut m = Wide::from_u128(a.c);
    m.mul_pow10(k);
    m.div_small(n);
    round(a.neg, m, a.e - k as i32)
}

impl std::fmt::Display for Dec {
    /// `[-]<coefficient>e<exponent>`, which decimal.js reads back exactly.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}e{}", if self.neg { "-" } else { "" }, self.c, self.e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        // "<digits>e<exp>" with an optional sign.
        let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
        let (c, e) = s.split_once('e').unwrap();
        Dec { neg, c: c.parse().unwrap(), e: e.parse().unwrap() }
    }

    /// The value as a canonical string (trailing zeros moved into the exponent).
    fn canon(x: Dec) -> String {
        let mut c = x.c;
        let mut e = x.e;
        if c == 0 {
            return "0".into();
        }
        while c.is_multiple_of(10) {
            c /= 10;
            e += 1;
        }
        format!("{}{}e{}", if x.neg { "-" } else { "" }, c, e)
    }

    #[test]
    fn division_rounds_to_twenty_digits_half_up() {
        // 1/3 = 0.33333333333333333333 (20 threes); 2/3 ends in 7.
        assert_eq!(canon(divided_by_int(d("1e0"), 3)), "33333333333333333333e-20");
        assert_eq!(canon(divided_by_int(d("2e0"), 3)), "66666666666666666667e-20");
        // A dropped digit of exactly 5 rounds up, and away from zero for negatives.
        assert_eq!(canon(divided_by_int(d("123456789012345678905e0"), 10)), "12345678901234567891e0");
        assert_eq!(canon(divided_by_int(d("-123456789012345678905e0"), 10)), "-12345678901234567891e0");
        assert_eq!(canon(divided_by_int(d("7e-4"), 7)), "1e-4");
    }

    #[test]
    fn addition_and_subtraction_are_exact_then_rounded() {
        assert_eq!(canon(plus(d("1e20"), d("1e0"))), "1e20");
        assert_eq!(canon(plus(d("1e20"), d("5e0"))), "10000000000000000001e1");
        assert_eq!(canon(minus(d("1e20"), d("5e0"))), "99999999999999999995e0");
        assert_eq!(canon(plus(d("99999999999999999999e0"), d("5e-1"))), "1e20");
        assert_eq!(canon(plus(d("99999999999999999999e0"), d("49999e-5"))), "99999999999999999999e0");
        assert_eq!(plus(d("5e0"), d("-5e0")), ZERO);
        assert_eq!(canon(minus(d("3e0"), d("5e0"))), "-2e0");
        // Far apart: the small operand decides only as a sticky digit.
        assert_eq!(canon(plus(d("1e80"), d("1e0"))), "1e80");
        assert_eq!(canon(minus(d("1e80"), d("1e0"))), "1e80");
        assert_eq!(canon(plus(d("99999999999999999995e100"), d("1e0"))), "99999999999999999995e100");
        assert_eq!(canon(minus(d("1e100"), d("1e0"))), "1e100");
    }

    #[test]
    fn multiplication_by_an_integer() {
        assert_eq!(canon(times_int(d("12345678901234567891e-17"), 1000)), "12345678901234567891e-14");
        assert_eq!(canon(times_int(d("99999999999999999999e0"), 3)), "3e20");
        assert_eq!(canon(times_int(d("-15e-1"), 3)), "-45e-1");
        assert_eq!(times_int(d("15e-1"), 0), ZERO);
    }
}
