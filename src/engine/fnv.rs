//! FNV-1a hashing for the engine's internal sets of names and ids: far
//! cheaper than SipHash for short keys, and these sets hold the program's
//! own names, so hash flooding is not a concern.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub type FnvHashSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;

pub fn set_with_capacity<T>(capacity: usize) -> FnvHashSet<T> {
    HashSet::with_capacity_and_hasher(capacity, Default::default())
}

pub type FnvHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fnv>>;
