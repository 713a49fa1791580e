//! Generation in parallel: apps and pipelines are independent, so their files are produced on
//! every core. Results keep the order of the inputs, so output stays byte-for-byte deterministic.

/// Maps `f` over `items` on up to `available_parallelism()` scoped threads, in contiguous chunks;
/// the results are in the order of `items`. A panic in `f` is propagated. The workers have the
/// calling thread's `ir::index` installed.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    // The workers look names up as this thread does.
    let index = crate::ir::index::current();
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|chunk| {
                let index = index.clone();
                s.spawn(move || crate::ir::index::install(index, || chunk.iter().map(f).collect::<Vec<R>>()))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1001).collect();
        assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u32], |i| *i).is_empty());
    }
}
