//! The engine's large tables on transparent huge pages, where the OS offers them.
//!
//! The order table's banks, their price and valid arrays, the spill counters and the
//! book's levels are megabytes that every message reaches at random: with 4 KiB pages
//! each of those loads is likely to miss the first-level TLB (~1,700 pages of hot tables).
//! A `HugeBox` is its own anonymous mapping, aligned to 2 MiB and a whole number of 2 MiB
//! pages long, advised `MADV_HUGEPAGE` before anything touches it, so the kernel backs it
//! with 2 MiB pages when THP is in `madvise` (or `always`) mode. The memory comes zeroed
//! from the kernel and is only ever filled with zeros here (`Zeroable`), so creating an
//! engine touches none of it: pages are faulted in where the engine first writes. The
//! advice changes no value: where it is refused or unsupported the tables are ordinary
//! memory, byte for byte the same. Measured on `npm run bench:peer`'s all-subscribed file
//! (cargo example `peer`; README, "A seventh round").

#![allow(unsafe_code)]

use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// Size and alignment of a transparent huge page on x86-64 (and 4 KiB-page aarch64).
pub const HUGE_PAGE: usize = 2 << 20;

/// Types for which all-zero bytes are a valid value (integers and arrays of them, and
/// `repr(C)` structs of those).
///
/// # Safety
/// An implementor must be valid when every byte of it is zero.
pub(crate) unsafe trait Zeroable {}
// SAFETY: integers are valid for every bit pattern.
unsafe impl Zeroable for u8 {}
// SAFETY: as above.
unsafe impl Zeroable for u32 {}
// SAFETY: as above.
unsafe impl Zeroable for u64 {}
// SAFETY: an array of zero-valid elements is zero-valid.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}

/// Bytes a `HugeBox<T>` maps: `size_of::<T>()` rounded up to whole huge pages.
pub const fn huge_size<T>() -> usize {
    core::mem::size_of::<T>().div_ceil(HUGE_PAGE) * HUGE_PAGE
}

/// An owned, zero-initialised `T` in its own huge-page-aligned mapping. Dereferences to
/// `T`, so a `HugeBox<[T; N]>` indexes, iterates and fills like the `Box<[T; N]>` it
/// replaces.
pub(crate) struct HugeBox<T: Zeroable> {
    ptr: NonNull<T>,
}

// SAFETY: `HugeBox` owns its `T` exclusively, like `Box`.
unsafe impl<T: Zeroable + Send> Send for HugeBox<T> {}
// SAFETY: shared access only hands out `&T`, like `Box`.
unsafe impl<T: Zeroable + Sync> Sync for HugeBox<T> {}

impl<T: Zeroable> HugeBox<T> {
    /// A zeroed `T` (see the module doc).
    pub(crate) fn zeroed() -> HugeBox<T> {
        const { assert!(core::mem::align_of::<T>() <= HUGE_PAGE) };
        HugeBox { ptr: map::zeroed(huge_size::<T>()).cast() }
    }
}

impl<T: Zeroable> Drop for HugeBox<T> {
    fn drop(&mut self) {
        // `T`s here are plain data (no drop glue to run).
        map::release(self.ptr.cast(), huge_size::<T>());
    }
}

impl<T: Zeroable> Deref for HugeBox<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: `ptr` is a live, aligned, zero-initialised (so valid: `Zeroable`) `T`
        // owned by `self` until drop.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Zeroable> DerefMut for HugeBox<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as `deref`, and `&mut self` makes the access exclusive.
        unsafe { self.ptr.as_mut() }
    }
}

#[cfg(target_os = "linux")]
mod map {
    use super::HUGE_PAGE;
    use core::ffi::{c_int, c_long, c_void};
    use core::ptr::NonNull;

    extern "C" {
        fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: c_long) -> *mut c_void;
        fn munmap(addr: *mut c_void, len: usize) -> c_int;
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    const PROT_READ: c_int = 1;
    const PROT_WRITE: c_int = 2;
    const MAP_PRIVATE: c_int = 2;
    const MAP_ANONYMOUS: c_int = 0x20;
    const MADV_HUGEPAGE: c_int = 14;

    /// `len` (a multiple of `HUGE_PAGE`) zeroed bytes at a `HUGE_PAGE`-aligned address,
    /// advised for huge pages and not yet touched.
    pub(super) fn zeroed(len: usize) -> NonNull<u8> {
        // Map one huge page more than asked, keep the aligned part, unmap the rest.
        let span = len + HUGE_PAGE;
        // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
        let p = unsafe { mmap(core::ptr::null_mut(), span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) };
        if p as isize == -1 {
            std::alloc::handle_alloc_error(std::alloc::Layout::from_size_align(len, HUGE_PAGE).unwrap_or(std::alloc::Layout::new::<u8>()));
        }
        let start = p as usize;
        let aligned = start.next_multiple_of(HUGE_PAGE);
        let (head, tail) = (aligned - start, start + span - (aligned + len));
        // SAFETY: both ranges lie inside the mapping just made and outside the kept part;
        // the advice only says how to back the kept part (failure leaves 4 KiB pages).
        unsafe {
            if head != 0 {
                munmap(p, head);
            }
            if tail != 0 {
                munmap((aligned + len) as *mut c_void, tail);
            }
            madvise(aligned as *mut c_void, len, MADV_HUGEPAGE);
        }
        // `aligned` is inside a successful mapping, so not null.
        NonNull::new(aligned as *mut u8).unwrap_or(NonNull::dangling())
    }

    pub(super) fn release(p: NonNull<u8>, len: usize) {
        // SAFETY: `p..p + len` is exactly the part `zeroed` kept, owned by the dropped box.
        unsafe { munmap(p.as_ptr() as *mut c_void, len) };
    }
}

#[cfg(not(target_os = "linux"))]
mod map {
    use super::HUGE_PAGE;
    use core::ptr::NonNull;
    use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};

    fn layout(len: usize) -> Layout {
        Layout::from_size_align(len, HUGE_PAGE).unwrap_or(Layout::new::<u8>())
    }

    pub(super) fn zeroed(len: usize) -> NonNull<u8> {
        // SAFETY: `len` is non-zero (whole huge pages).
        NonNull::new(unsafe { alloc_zeroed(layout(len)) }).unwrap_or_else(|| handle_alloc_error(layout(len)))
    }

    pub(super) fn release(p: NonNull<u8>, len: usize) {
        // SAFETY: allocated by `zeroed` with the same layout.
        unsafe { dealloc(p.as_ptr(), layout(len)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_box_is_aligned_zeroed_and_writable() {
        let mut a: HugeBox<[u32; 1000]> = HugeBox::zeroed();
        assert_eq!(&*a as *const [u32; 1000] as usize % HUGE_PAGE, 0);
        assert!(a.iter().all(|&x| x == 0));
        a[999] = 7;
        a.fill(3);
        assert_eq!(a.iter().map(|&x| x as u64).sum::<u64>(), 3000);
        let b: HugeBox<[[u64; 3]; 1 << 20]> = HugeBox::zeroed();
        assert_eq!(huge_size::<[[u64; 3]; 1 << 20]>(), 24 << 20);
        assert_eq!(b[(1 << 20) - 1], [0; 3]);
        drop(a);
        drop(b);
    }
}
