//! The analysis thread: one long-lived thread that analyses the documents the state marks, one
//! at a time and always at their latest text, installs each analysis and a new snapshot, and
//! sends the diagnostics once nothing waits.
//!
//! Notifications never wait for it, so read requests are not queued behind edits, and the
//! versions of a burst of edits that arrive while an analysis runs are skipped: the next
//! analysis takes the latest text. A 256 MiB stack (reserved, not committed) keeps the parser's
//! recursion safe, and each analysis reuses the memory the previous ones freed on this same
//! thread (on a new thread every time, the allocator hands out fresh pages and page faults took
//! a fifth of the time of an analysis).
//!
//! What an analysis replaces is freed a little later ([`GRACE`]) or before the next analysis,
//! whichever comes first: freeing the analysis of a 10,000-line program takes 2-3 ms, and done
//! at once it competed for the two cores with sending the diagnostics just published.

use crate::state::{Publish, Snapshot, State};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tokio::sync::watch;

/// How long the analysis thread, idle, keeps what the last analysis replaced before freeing it.
pub const GRACE: std::time::Duration = std::time::Duration::from_millis(20);

/// What analyses replaced, not freed yet: views and snapshots.
#[derive(Default)]
struct Garbage(Vec<(Vec<crate::state::DocView>, Arc<Snapshot>)>);

/// The state and what wakes the analysis thread.
pub struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    snapshots: watch::Sender<Arc<Snapshot>>,
    /// Set when the server goes away; the thread then ends.
    stop: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// A new state and its snapshot channel.
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            snapshots: watch::Sender::new(Arc::new(Snapshot::default())),
            stop: Default::default(),
        })
    }

    /// The state, locked (never for long: analyses run without the lock).
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Mutates the state, then wakes the analysis thread.
    pub fn mutate<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.state());
        self.wake.notify_one();
        out
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshots.borrow().clone()
    }

    /// A receiver of snapshots, to wait for the analysis of a version. Subscribe while holding
    /// the state's lock: every snapshot it receives after its current one is then of a state at
    /// least as new as the one read under that lock.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.subscribe()
    }

    /// Ends the analysis thread after its current analysis.
    pub fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    fn stopped(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// One round: analyses the next marked document (waiting for one when `block`), installs it
    /// and the snapshot, and sends the diagnostics if due. What it replaced goes to `garbage`,
    /// freed before the next analysis or once the thread has waited [`GRACE`] for one. Returns
    /// false when there was nothing to do (or the thread is to stop).
    fn round(&self, block: bool, publish: &dyn Fn(Publish), garbage: &mut Garbage) -> bool {
        let job = {
            let mut state = self.state();
            loop {
                if self.stopped() {
                    return false;
                }
                if let Some(job) = state.next_job() {
                    break Some(job);
                }
                if state.publish_due() {
                    break None;
                }
                if !block {
                    return false;
                }
                if garbage.0.is_empty() {
                    state = self.wake.wait(state).unwrap_or_else(|p| p.into_inner());
                    continue;
                }
                let (s, waited) = self.wake.wait_timeout(state, GRACE).unwrap_or_else(|p| p.into_inner());
                state = s;
                if waited.timed_out() {
                    // Freed without the lock, which edits take.
                    drop(state);
                    garbage.0.clear();
                    state = self.state();
                }
            }
        };
        // Freed before the next analysis, so the peak memory is what it was when this was freed
        // at once.
        garbage.0.clear();
        let analysed = job.map(|job| {
            let result = catch_unwind(AssertUnwindSafe(|| job.run()));
            (job.doc.uri, job.doc.version, result)
        });
        let (diagnostics, retired, old) = {
            let mut state = self.state();
            match analysed {
                // Cancelled: a newer text waits (marked when it arrived).
                Some((uri, _, Ok(None))) => state.cancelled(&uri),
                Some((uri, version, result)) => state.install(&uri, version, result.ok().flatten()),
                None => {}
            }
            let diagnostics = if state.publish_due() { state.take_publish() } else { Vec::new() };
            // Sent under the lock: a request that reads the state and subscribes under it
            // sees, after that, only snapshots of a state at least as new.
            let old = self.snapshots.send_replace(state.snapshot());
            (diagnostics, state.take_retired(), old)
        };
        if !diagnostics.is_empty() {
            publish(diagnostics);
        }
        garbage.0.push((retired, old));
        true
    }

    /// Starts the analysis thread; false if it cannot be started (then call
    /// [`Shared::drain`] after each change).
    pub fn spawn(self: &Arc<Self>, publish: impl Fn(Publish) + Send + 'static) -> bool {
        let shared = self.clone();
        std::thread::Builder::new()
            .name("pf-analysis".into())
            .stack_size(256 << 20)
            .spawn(move || {
                let mut garbage = Garbage::default();
                while shared.round(true, &publish, &mut garbage) {}
            })
            .is_ok()
    }

    /// Analyses everything marked, on the calling thread.
    pub fn drain(&self, publish: &dyn Fn(Publish)) {
        let mut garbage = Garbage::default();
        while self.round(false, publish, &mut garbage) {}
    }
}
