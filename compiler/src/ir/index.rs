//! Name lookups in constant time while code generation and the program-wide checks run.
//!
//! [`Program::app`], [`Program::env`] and the environments an app is deployed to
//! ([`deployed`], behind `codegen::infra::deployed_envs`) are asked per app, environment and
//! action; scanning the lists each time made a 1,000-app build quadratic (a fifth of its
//! instructions). `codegen::generate` and `check::rules` build an [`Index`] of their program and
//! install it for their duration with [`scope`] (`codegen::parallel` installs it on its worker
//! threads): the program is borrowed meanwhile, so it cannot change and the index cannot go stale.
//! Anywhere else (tests that change a program between lookups) lookups scan the lists, with the
//! same results.

use super::{ActionKind, Program};
use crate::hash::FxHashMap;
use std::cell::RefCell;
use std::sync::Arc;

/// Positions in a program's lists by name.
pub struct Index {
    /// The address of the indexed program: compared, never dereferenced.
    program: usize,
    /// The first app of each name.
    apps: FxHashMap<String, usize>,
    /// The first environment of each name.
    envs: FxHashMap<String, usize>,
    /// Per app, the positions (ascending) of the environments its pipelines deploy.
    deployed: FxHashMap<String, Vec<usize>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Index>>> = const { RefCell::new(None) };
}

impl Index {
    /// The index of `program`.
    pub fn new(program: &Program) -> Index {
        let mut apps = crate::hash::map_with_capacity(program.apps.len());
        for (i, a) in program.apps.iter().enumerate() {
            apps.entry(a.name.clone()).or_insert(i);
        }
        let mut by_name: FxHashMap<&str, Vec<usize>> = crate::hash::map_with_capacity(program.envs.len());
        for (i, e) in program.envs.iter().enumerate() {
            by_name.entry(e.name.as_str()).or_default().push(i);
        }
        let envs = by_name.iter().map(|(name, ix)| (name.to_string(), ix[0])).collect();
        let mut deployed: FxHashMap<String, Vec<usize>> =
            crate::hash::map_with_capacity(program.pipelines.len());
        for pipeline in &program.pipelines {
            let positions = deployed.entry(pipeline.app.clone()).or_default();
            for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
                if let ActionKind::DeployInfra { env, .. } | ActionKind::DeployApp { env } = &action.kind {
                    positions.extend(by_name.get(env.as_str()).into_iter().flatten());
                }
            }
        }
        for positions in deployed.values_mut() {
            positions.sort_unstable();
            positions.dedup();
        }
        Index { program: program as *const Program as usize, apps, envs, deployed }
    }
}

/// Runs `f` with an index of `program` installed on this thread.
pub fn scope<R>(program: &Program, f: impl FnOnce() -> R) -> R {
    install(Some(Arc::new(Index::new(program))), f)
}

/// The index installed on this thread, to install on a worker thread with [`install`].
pub fn current() -> Option<Arc<Index>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` with `index` installed on this thread, then puts back what was installed before
/// (also when `f` panics).
pub fn install<R>(index: Option<Arc<Index>>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<Index>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), index)));
    f()
}

/// `lookup` on the installed index when it indexes `program`; `None` when there is none.
fn with<R>(program: &Program, lookup: impl FnOnce(&Index) -> R) -> Option<R> {
    CURRENT.with(|c| {
        let current = c.borrow();
        current.as_deref().filter(|i| i.program == program as *const Program as usize).map(lookup)
    })
}

/// The position of the app `name`, when an index of `program` is installed.
pub(super) fn app(program: &Program, name: &str) -> Option<Option<usize>> {
    with(program, |i| i.apps.get(name).copied())
}

/// The position of the environment `name`, when an index of `program` is installed.
pub(super) fn env(program: &Program, name: &str) -> Option<Option<usize>> {
    with(program, |i| i.envs.get(name).copied())
}

/// The positions (ascending) of the environments the pipelines of `app` deploy, when an index
/// of `program` is installed.
pub fn deployed(program: &Program, app: &str) -> Option<Vec<usize>> {
    with(program, |i| i.deployed.get(app).cloned().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::fixture;

    #[test]
    fn lookups_use_the_index_only_for_its_program() {
        let p = fixture::sample_program();
        assert!(env(&p, "prod").is_none(), "no index outside a scope");
        scope(&p, || {
            let prod = p.envs.iter().position(|e| e.name == "prod");
            assert!(prod.is_some());
            assert_eq!(env(&p, "prod"), Some(prod));
            assert_eq!(env(&p, "nowhere"), Some(None));
            assert_eq!(app(&p, &p.apps[0].name), Some(Some(0)));
            let deployed = deployed(&p, &p.apps[0].name).unwrap();
            assert!(!deployed.is_empty() && deployed.windows(2).all(|w| w[0] < w[1]));
            // Another program (a changed copy) is not indexed, so its lookups scan.
            let copy = p.clone();
            assert!(env(&copy, "prod").is_none());
            // Worker threads see the index once it is installed there.
            let index = current();
            std::thread::scope(|s| {
                s.spawn(|| {
                    assert!(env(&p, "prod").is_none());
                    install(index, || assert_eq!(env(&p, "prod"), Some(prod)));
                });
            });
        });
        assert!(env(&p, "prod").is_none(), "the scope removes its index");
    }

    /// Every lookup answers as the scans do, in and out of the scope.
    #[test]
    fn indexed_lookups_equal_the_scans() {
        let program = crate::driver::analyze(
            vec![crate::driver::Root { name: "big.pf".into(), bytes: crate::testgen::program(20, 3).into() }],
            &crate::driver::NoFiles,
        )
        .checked
        .program;
        let names: Vec<String> = program
            .envs
            .iter()
            .map(|e| e.name.clone())
            .chain(program.apps.iter().map(|a| a.name.clone()))
            .chain(["missing".to_string()])
            .collect();
        let answers = |p: &Program| {
            names
                .iter()
                .map(|n| {
                    (
                        p.env(n).map(|e| e as *const _),
                        p.app(n).map(|a| a as *const _),
                        crate::codegen::infra::deployed_envs(p, n)
                            .into_iter()
                            .map(|e| e as *const _)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let scanned = answers(&program);
        assert!(scanned.iter().filter(|(_, _, d)| !d.is_empty()).count() == 20, "each app deploys");
        assert_eq!(scope(&program, || answers(&program)), scanned);
    }
}
