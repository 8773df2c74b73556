//! Symbol lookup of spec §3.2: the locate table that maps an ITCH stock locate to a
//! configured symbol, filled by stock directory (R) messages.
//!
//! Every market-data message names its stock by locate, so the lookup is one byte load
//! from a 64 KiB table; only the rare R message compares names.

use crate::config::Config;
use crate::error::EngineError;
use crate::params::MAX_SYMBOLS;
use crate::snapshot::{invalid, Reader, Writer};

const NONE: u8 = 0xFF;

/// Stock locate → symbol index, plus the configured names R messages are matched against.
pub struct LocateTable {
    /// Configured names as little-endian words, so a name compares in one step.
    names: [u64; MAX_SYMBOLS],
    n_symbols: usize,
    table: Box<[u8; 1 << 16]>,
}

impl LocateTable {
    /// An empty table (no locate is mapped) for the symbols of `cfg`.
    pub fn new(cfg: &Config) -> LocateTable {
        let mut names = [0u64; MAX_SYMBOLS];
        for (n, s) in names.iter_mut().zip(&cfg.symbols) {
            *n = u64::from_le_bytes(s.name);
        }
        LocateTable { names, n_symbols: cfg.symbols.len().min(MAX_SYMBOLS), table: crate::boxed_array(NONE) }
    }

    /// Unmaps every locate.
    pub fn clear(&mut self) {
        self.table.fill(NONE);
    }

    /// The symbol index of `locate`, if it is a subscribed symbol.
    #[inline(always)]
    pub fn get(&self, locate: u16) -> Option<usize> {
        match self.table[locate as usize] {
            NONE => None,
            i => Some(i as usize % MAX_SYMBOLS),
        }
    }

    /// An R message: `locate` now names `stock` (8 bytes as a little-endian word). The
    /// first configured symbol with that exact name wins; any other stock unmaps the
    /// locate, so a later R for the same locate overrides an earlier one.
    #[cold]
    pub fn directory(&mut self, locate: u16, stock: u64) {
        let i = self.names[..self.n_symbols].iter().position(|&n| n == stock);
        self.table[locate as usize] = match i {
            Some(i) => i as u8,
            None => NONE,
        };
    }

    /// Snapshot: the mapped locates.
    pub(crate) fn save(&self, w: &mut Writer) {
        let mapped: Vec<(usize, u8)> = self.table.iter().enumerate().filter(|(_, &i)| i != NONE).map(|(l, &i)| (l, i)).collect();
        w.u32(mapped.len() as u32);
        for (l, i) in mapped {
            w.u16(l as u16);
            w.u8(i);
        }
    }

    pub(crate) fn load(&mut self, r: &mut Reader) -> Result<(), EngineError> {
        self.clear();
        for _ in 0..r.count("locates", 3, 1 << 16)? {
            let l = r.u16("locate")?;
            let i = r.u8("locate symbol")?;
            if i as usize >= self.n_symbols {
                return Err(invalid(format!("locate {l} maps to symbol {i}, the config has {}", self.n_symbols)));
            }
            self.table[l as usize] = i;
        }
        Ok(())
    }
}
