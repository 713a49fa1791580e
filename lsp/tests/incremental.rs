//! The server's analysis after edits equals a fresh analysis of the same text.
//!
//! Random edit sequences go through [`State`] as a client sends them (ranged changes in UTF-16),
//! and the analysis thread's steps are replayed by hand in a random order: a job may run to the
//! end and be installed, or be overtaken by another edit (which cancels it) before it runs. Every
//! installed analysis, reparsed incrementally from the last one that parsed, must have exactly
//! the diagnostics, files and program of `driver::analyze` of its text.

use pf_compiler::driver::{analyze, NoFiles, Root};
use pf_compiler::source::FileId;
use pf_compiler::syntax::reparse_reusing;
use pf_compiler::testgen::{first_difference, mutate, program, Lcg};
use pf_lsp::convert::{Encoding, LineIndex};
use pf_lsp::state::{DocAnalysis, State};
use tower_lsp::lsp_types::{Range, TextDocumentContentChangeEvent, Url};

/// The one ranged change that turns `old` into `new` (their common ends left out).
fn change(old: &str, new: &str) -> TextDocumentContentChangeEvent {
    let mut prefix = pf_compiler::syntax::common_prefix(old.as_bytes(), new.as_bytes());
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = old.len().min(new.len()) - prefix;
    let mut suffix = pf_compiler::syntax::common_suffix(
        &old.as_bytes()[old.len() - room..],
        &new.as_bytes()[new.len() - room..],
    );
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let index = LineIndex::new(old);
    let at = |offset: usize| index.position(old, offset, Encoding::Utf16);
    TextDocumentContentChangeEvent {
        range: Some(Range { start: at(prefix), end: at(old.len() - suffix) }),
        range_length: None,
        text: new[prefix..new.len() - suffix].to_string(),
    }
}

/// `text` with one ASCII letter replaced by another.
fn retype(rng: &mut Lcg, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let letters: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii_lowercase()).collect();
    if let Some(&at) = letters.get(rng.below(letters.len().max(1))) {
        bytes[at] = b'a' + rng.below(26) as u8;
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// `text` with a comment line inserted at the start of a line.
fn comment(rng: &mut Lcg, text: &str) -> String {
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let at = starts[rng.below(starts.len())];
    format!("{}# edited\n{}", &text[..at], &text[at..])
}

/// Asserts that `a` is what a fresh analysis of its text finds.
fn assert_fresh(a: &DocAnalysis, name: &str, what: &str) {
    let fresh = analyze(vec![Root { name: name.into(), bytes: a.text.as_bytes().to_vec() }], &NoFiles);
    assert_eq!(a.analysis.diagnostics, fresh.diagnostics, "{what}: diagnostics\n{}", a.text);
    if a.analysis.files != fresh.files {
        panic!("{what}: {}", first_difference(("fresh", &fresh.files), ("incremental", &a.analysis.files)));
    }
    assert_eq!(a.analysis.checked.program, fresh.checked.program, "{what}: program");
}

#[test]
fn random_edits_with_cancelled_analyses_equal_fresh_analyses() {
    let uri = Url::parse("file:///tmp/incremental.pf").expect("a URI");
    let name = pf_lsp::state::name_of(&uri);
    let mut rng = Lcg(0x1ce);
    let (mut installed, mut cancelled, mut reused) = (0, 0, 0);
    for base in [program(3, 3), program(8, 2)] {
        let mut state = State::new(Encoding::Utf16);
        state.open(uri.clone(), base.clone(), 1);
        let mut text = base.clone();
        for version in 2..200 {
            let next = match rng.below(8) {
                // Back to the clean program, as when a mistake is undone.
                0 => base.clone(),
                // Edits that keep the syntax (so the reparse reuses entries): a letter typed
                // over another (a misspelt name or keyword), a comment line added.
                1..=4 => retype(&mut rng, &text),
                5 => comment(&mut rng, &text),
                // Anything (syntax errors, fragments, copies).
                _ => match String::from_utf8(mutate(&mut rng, &text)) {
                    Ok(next) => next,
                    Err(_) => continue,
                },
            };
            state.change(&uri, version, vec![change(&text, &next)]);
            text = next;
            assert_eq!(&**state.latest(&uri).expect("open").0, text.as_str(), "the change applies");
            match rng.below(3) {
                // The analysis thread takes the job, and an edit arrives before it is done.
                0 => {
                    let Some(job) = state.next_job() else { continue };
                    let following =
                        String::from_utf8(mutate(&mut rng, &text)).unwrap_or_else(|_| base.clone());
                    state.change(&uri, version, vec![change(&text, &following)]);
                    text = following;
                    assert!(job.run().is_none(), "version {version}: a stale analysis is cancelled");
                    state.cancelled(&uri);
                    cancelled += 1;
                }
                // It runs to the end.
                1 => {
                    let Some(job) = state.next_job() else { continue };
                    // Whether the reparse takes untouched entries from the previous analysis.
                    reused += job.previous.as_ref().is_some_and(|p| {
                        p.parsed
                            && reparse_reusing(FileId(0), &job.doc.text, &p.text, &p.analysis.files[0])
                                .is_some()
                    }) as usize;
                    let a = job.run().expect("not cancelled");
                    assert_fresh(&a, &name, &format!("version {version}"));
                    state.install(&uri, job.doc.version, Some(a));
                    installed += 1;
                }
                // More edits arrive before the thread gets to it.
                _ => {}
            }
        }
        while let Some(job) = state.next_job() {
            let a = job.run().expect("not cancelled");
            state.install(&uri, job.doc.version, Some(a));
        }
        let snapshot = state.snapshot();
        let last = &snapshot.doc(&uri).expect("analysed").current;
        assert_eq!(&*last.text, text.as_str(), "the last analysis is of the latest text");
        assert_fresh(last, &name, "the last version");
    }
    // Each path was taken often enough to mean something.
    assert!(
        installed > 80 && cancelled > 80 && reused > 20,
        "{installed} installed, {cancelled} cancelled, {reused} reparsed reusing entries"
    );
}
