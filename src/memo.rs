//! A memo table shared across threads, for results keyed by content (object ids): a history
//! search meets the same trees, blobs and blob pairs many times, and such results never go stale.
//!
//! May depend on: nothing in the crate.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Computes each key's value once (misses computed concurrently may both compute; the values
/// are equal). Clones share the table. With a bound, the table starts over when full.
pub struct Memo<K, V> {
    map: Arc<Mutex<HashMap<K, V>>>,
    cap: usize,
}

impl<K, V> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Memo { map: self.map.clone(), cap: self.cap }
    }
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo::bounded(usize::MAX)
    }
}

impl<K, V> std::fmt::Debug for Memo<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memo({} entries)", self.map.lock().map_or(0, |m| m.len()))
    }
}

impl<K, V> Memo<K, V> {
    /// A table that keeps at most `cap` entries.
    pub fn bounded(cap: usize) -> Self {
        Memo { map: Arc::new(Mutex::new(HashMap::new())), cap }
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// The value for `key`, computing it with `compute` (outside the lock) on a miss.
    pub fn get_or_try<E>(&self, key: K, compute: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(hit) = self.map.lock().expect("memo lock").get(&key) {
            return Ok(hit.clone());
        }
        let value = compute()?;
        let mut map = self.map.lock().expect("memo lock");
        if map.len() >= self.cap {
            map.clear();
        }
        // A value another thread put in first stays (it may have been corrected since).
        Ok(map.entry(key).or_insert(value).clone())
    }

    /// [`Memo::get_or_try`] for a computation that cannot fail.
    pub fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> V {
        match self.get_or_try(key, || Ok::<V, std::convert::Infallible>(compute())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// The value for `key`, if it is in the table.
    pub fn peek(&self, key: &K) -> Option<V> {
        self.map.lock().expect("memo lock").get(key).cloned()
    }

    /// Removes `key` from the table, returning its value.
    pub fn take(&self, key: &K) -> Option<V> {
        self.map.lock().expect("memo lock").remove(key)
    }
}

impl<K: Hash + Eq, V: Clone + PartialEq> Memo<K, V> {
    /// Replaces the value of a key the table has with `value` when they differ (a better answer
    /// than the one computed first); true when it did.
    pub fn correct(&self, key: &K, value: &V) -> bool {
        let mut map = self.map.lock().expect("memo lock");
        match map.get_mut(key) {
            Some(v) if v != value => {
                *v = value.clone();
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_shares_with_clones_and_starts_over_at_the_bound() {
        let memo: Memo<u32, u32> = Memo::bounded(2);
        let calls = std::cell::Cell::new(0);
        let f = |k: u32| {
            calls.set(calls.get() + 1);
            Ok::<_, ()>(k * 10)
        };
        assert_eq!(memo.get_or_try(1, || f(1)), Ok(10));
        assert_eq!(memo.clone().get_or_try(1, || f(1)), Ok(10));
        assert_eq!(calls.get(), 1, "a hit, through a clone, does not compute");
        assert_eq!(memo.get_or_try(2, || Err(())), Err(()), "errors are returned and not kept");
        memo.get_or_try(2, || f(2)).unwrap();
        memo.get_or_try(3, || f(3)).unwrap();
        memo.get_or_try(1, || f(1)).unwrap();
        assert_eq!(calls.get(), 4, "the table started over when full, so 1 was computed again");
        assert!(memo.correct(&1, &11) && !memo.correct(&1, &11) && !memo.correct(&9, &90));
        assert_eq!((memo.peek(&1), memo.peek(&9)), (Some(11), None), "a correction replaces; no key, no entry");
    }
}
