//! The hash maps of the compiler: keyed by names from the program, hashed with the Fx function
//! (as rustc does) instead of SipHash. Checking a 10,000-line program hashes some 16,000 names
//! (declarations, provenance paths); SipHash spent about a tenth of the language server's
//! analysis on them. Fx is not DoS-resistant: a program crafted so that its names collide would
//! only slow its own compilation.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` hashed with [`FxHasher`].
pub type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// An empty [`FxHashMap`] with room for `n` entries. A table grown from empty rehashes at every
/// doubling: a dozen times on the way to the 1,800 names of a large program.
pub fn map_with_capacity<K, V>(n: usize) -> FxHashMap<K, V> {
    FxHashMap::with_capacity_and_hasher(n, Default::default())
}

/// An empty [`FxHashSet`] with room for `n` entries (as [`map_with_capacity`]).
pub fn set_with_capacity<T>(n: usize) -> FxHashSet<T> {
    FxHashSet::with_capacity_and_hasher(n, Default::default())
}

/// The Fx hash: a rotate, an xor and a multiply per 8 bytes.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        let b = BuildHasherDefault::<FxHasher>::default();
        assert_eq!(b.hash_one("pipeline.a.stage.b"), b.hash_one(String::from("pipeline.a.stage.b")));
        // Keys that differ in one byte, in the length, or only past the first 8 bytes.
        let keys = ["env1", "env2", "env10", "pipeline.shop.stage.s1", "pipeline.shop.stage.s2", "", "e"];
        let hashes: FxHashSet<u64> = keys.iter().map(|k| b.hash_one(k)).collect();
        assert_eq!(hashes.len(), keys.len());
    }

    #[test]
    fn maps_work_as_maps() {
        let mut m: FxHashMap<String, usize> = FxHashMap::default();
        for i in 0..1000 {
            m.insert(format!("e{i}"), i);
        }
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get("e517"), Some(&517));
        assert_eq!(m.get("e1000"), None);
    }
}
