//! A fast hasher for the engine's internal sets of names and ids, in the
//! manner of foldhash: a word at a time, one folded multiply per word. Far
//! cheaper than SipHash for short keys (a program's 100,000 coroutine
//! names, a gather's futures), and these sets hold the program's own
//! names and ids, so hash flooding is not a concern.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub struct WordHasher(u64);

/// An odd multiplier with its bits spread out (rustc-hash's).
const K: u64 = 0xf135_7aea_2e62_a9c5;

impl WordHasher {
    /// A 64-bit product with its high half folded into its low half: a
    /// plain multiply carries only upwards, so names that differ in their
    /// last bytes would share their low bits, which hashbrown picks
    /// buckets with; the fold makes every bit of the word reach them. Not
    /// the full 128-bit product foldhash folds: WebAssembly has no
    /// instruction for it, and the page paid a library call per word (a
    /// running task's position is looked up in a map at every step).
    #[inline]
    fn add(&mut self, word: u64) {
        let product = (self.0 ^ word).wrapping_mul(K);
        self.0 = product ^ (product >> 32);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let half = |at: usize| {
            u64::from(u32::from_le_bytes(
                bytes[at..at + 4].try_into().expect("4 bytes"),
            ))
        };
        let n = bytes.len();
        if n >= 8 {
            let mut at = 0;
            while at + 8 <= n {
                self.add(word(at));
                at += 8;
            }
            if at < n {
                // The last, overlapping word: no byte-by-byte tail.
                self.add(word(n - 8));
            }
        } else if n >= 4 {
            self.add(half(0) | half(n - 4) << 32);
        } else if n > 0 {
            self.add(
                u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16,
            );
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

pub type FastHashSet<T> = HashSet<T, BuildHasherDefault<WordHasher>>;

pub fn set_with_capacity<T>(capacity: usize) -> FastHashSet<T> {
    HashSet::with_capacity_and_hasher(capacity, Default::default())
}

pub type FastHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<WordHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn similar_names_spread_over_the_buckets() {
        // A program's coroutines are often named work_0, work_1, ...: the
        // low bits hashbrown picks buckets with must tell them apart.
        let build = BuildHasherDefault::<WordHasher>::default();
        let buckets: HashSet<u64> = (0..4096)
            .map(|i| build.hash_one(format!("work_{i}")) & 4095)
            .collect();
        assert!(buckets.len() > 2400, "{} buckets of 4096", buckets.len());
        let ids: HashSet<u64> = (0..4096u32).map(|i| build.hash_one(i) & 4095).collect();
        assert!(ids.len() > 2400, "{} buckets of 4096", ids.len());
    }
}
