//! A performance regression guard that holds on noisy machines: the number of heap allocations
//! of checking and building a generated 100-app program (3 environments each) is deterministic,
//! unlike wall-clock time. The test fails when it grows by more than 20% over the committed
//! baseline in `alloc_baseline.txt`.
//!
//! Updating the baseline honestly: when a change makes pf do more work on purpose (a new
//! resource in every template, a new rule), run
//! `PF_PRINT_ALLOCS=1 cargo test -p pf-compiler --test alloc_guard -- --nocapture`, write the
//! printed count into `alloc_baseline.txt` in the same commit, and say why in its message. When a
//! change makes pf faster, lower the baseline too, so the guard keeps protecting the gain.

use pf_compiler::codegen::{generate, Options};
use pf_compiler::driver::{analyze, NoFiles, Root};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

struct Counting;

static ENABLED: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ENABLED.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ENABLED.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn allocations_of_the_100_app_build_stay_within_20_percent_of_the_baseline() {
    let text = pf_compiler::testgen::program(100, 3);
    let root = Root { name: "gen.pf".into(), bytes: text.into_bytes() };
    COUNT.store(0, Ordering::SeqCst);
    ENABLED.store(true, Ordering::SeqCst);
    let analysis = analyze(vec![root], &NoFiles);
    let files = generate(&analysis.checked.program, &Options::default());
    ENABLED.store(false, Ordering::SeqCst);
    let count = COUNT.load(Ordering::SeqCst);
    assert!(!analysis.has_errors() && files.len() > 600, "the program builds ({} files)", files.len());
    if std::env::var_os("PF_PRINT_ALLOCS").is_some() {
        println!("allocations: {count}");
    }
    let baseline: u64 = include_str!("alloc_baseline.txt").trim().parse().expect("a number");
    assert!(
        count <= baseline + baseline / 5,
        "{count} allocations, more than 20% over the baseline of {baseline}; see this file's doc comment"
    );
}
