//! The engine's large tables on transparent huge pages, where the OS offers them.
//!
//! The order table's banks, their price and valid arrays, the spill counters and the
//! book's levels are megabytes that every message reaches at random: with 4 KiB pages
//! each of those loads is likely to miss the first-level TLB (~1,700 pages of hot tables).
//! A `Huge` array is aligned to 2 MiB, so its size is a whole number of 2 MiB pages, and
//! on Linux it is advised `MADV_HUGEPAGE` *before* it is first written, so the kernel backs
//! it with 2 MiB pages when THP is in `madvise` (or `always`) mode. The advice changes no
//! value: where it is refused or unsupported the array is ordinary memory, byte for byte
//! the same. Measured on `npm run bench:peer`'s all-subscribed file (cargo example `peer`,
//! README "A seventh round").

#![allow(unsafe_code)]

use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};

/// Size and alignment of a transparent huge page on x86-64 and most aarch64 kernels.
pub const HUGE_PAGE: usize = 2 << 20;

/// `T` aligned to (and so a multiple of) `HUGE_PAGE` bytes. Dereferences to `T`, so a
/// `Box<Huge<[T; N]>>` indexes, iterates and fills like the `Box<[T; N]>` it replaces.
#[repr(C, align(2097152))]
pub struct Huge<T>(T);

const _: () = assert!(core::mem::align_of::<Huge<u8>>() == HUGE_PAGE);

impl<T> Deref for Huge<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Huge<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// `[v; N]` on the heap, huge-page aligned and advised for huge pages before it is
/// written (`boxed_array` for the large tables).
pub(crate) fn huge_array<T: Clone, const N: usize>(v: T) -> Box<Huge<[T; N]>> {
    let mut b: Box<MaybeUninit<Huge<[T; N]>>> = Box::new_uninit();
    advise_huge(b.as_mut_ptr() as *mut u8, core::mem::size_of::<Huge<[T; N]>>());
    let first = b.as_mut_ptr() as *mut T;
    for k in 0..N {
        // SAFETY: `first` points to `N` contiguous, properly aligned slots of `T` inside
        // the allocation (`Huge` is `repr(C)` with the array at offset 0); slot `k < N`
        // is written exactly once and nothing reads it before.
        unsafe { first.add(k).write(v.clone()) };
    }
    // SAFETY: every element of the array was initialised above; the padding `align`
    // adds after it holds no value of any type.
    unsafe { b.assume_init() }
}

#[cfg(target_os = "linux")]
fn advise_huge(p: *mut u8, len: usize) {
    extern "C" {
        fn madvise(addr: *mut core::ffi::c_void, len: usize, advice: core::ffi::c_int) -> core::ffi::c_int;
    }
    const MADV_HUGEPAGE: core::ffi::c_int = 14;
    // SAFETY: `p..p + len` is one allocation of ours, page aligned (2 MiB); MADV_HUGEPAGE
    // is advice on how to back it and changes no byte of it. A failure (THP not built in,
    // `never` mode) leaves ordinary pages, so the result is ignored.
    let _ = unsafe { madvise(p as *mut core::ffi::c_void, len, MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_p: *mut u8, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_array_is_aligned_and_filled() {
        let a: Box<Huge<[u32; 1000]>> = huge_array(7);
        assert_eq!(&**a as *const [u32; 1000] as usize % HUGE_PAGE, 0);
        assert!(a.iter().all(|&x| x == 7));
        let mut b: Box<Huge<[[u64; 3]; 5]>> = huge_array([1, 2, 3]);
        b[4][2] = 9;
        assert_eq!(b.iter().map(|x| x.iter().sum::<u64>()).sum::<u64>(), 4 * 6 + 1 + 2 + 9);
    }
}
