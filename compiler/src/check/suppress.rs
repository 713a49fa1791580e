//! Project severities (`project { severity { PF4006 = off } }`) and suppression comments.
//!
//! A comment `# pf:allow PF4006: the reason` silences findings of that code on its own line (a
//! trailing comment) or on the next line (a comment on its own line). The reason is required and
//! kept in JSON and SARIF output; a suppression that silences nothing is a warning.

use super::resolve::Decls;
use super::value::Val;
use crate::ast;
use crate::diagnostic::{codes, Applicability, Diagnostic, Severity, Suppression};
use crate::source::{SourceFile, SourceMap, Span};

/// Applies severities and suppressions to `diagnostics`, and reports problems with them.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, decls: &Decls, files: &[ast::File], sources: &SourceMap) {
    let mut extra = Vec::new();
    if let Some(Val::Map(levels)) = decls.project.as_ref().and_then(|p| p.own.get("severity")).map(|i| &i.val)
    {
        for (code, level) in levels {
            let Val::Enum(level) = level.val else { continue };
            let Some(c) = codes::lookup(code).filter(|c| !c.id.starts_with("PF0")) else {
                extra.push(unknown_code(code, level_span(levels, code)));
                continue;
            };
            if level != "error" && !codes::silenceable(c) {
                extra.push(unsilenceable(c, level_span(levels, code)));
                continue;
            }
            diagnostics.retain(|d| !(d.code == c && level == "off"));
            for d in diagnostics.iter_mut().filter(|d| d.code == c) {
                d.severity = if level == "error" { Severity::Error } else { Severity::Warning };
            }
        }
    }
    for file in files {
        let source = sources.get(file.id);
        for comment in &file.comments {
            let Some(rest) = comment.text.trim_start_matches('#').trim().strip_prefix("pf:allow") else {
                continue;
            };
            let span = comment.span;
            let (codes_part, reason) = match rest.split_once(':') {
                Some((c, r)) => (c, r.trim()),
                None => (rest, ""),
            };
            if reason.is_empty() {
                extra.push(
                    Diagnostic::new(codes::PF9001, span, "a suppression needs a reason")
                        .with_label("no reason given")
                        .with_help("write `# pf:allow PF4006: why this finding is acceptable here`"),
                );
                continue;
            }
            let (line_start, next_line_end) = covered_range(source, comment.span);
            let (mut unused, mut any_used) = (Vec::new(), false);
            for id in codes_part.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
                let Some(code) =
                    codes::lookup(id).filter(|c| !c.id.starts_with("PF0") && !c.id.starts_with("PF9"))
                else {
                    extra.push(unknown_code(id, span));
                    continue;
                };
                if !codes::silenceable(code) {
                    extra.push(unsilenceable(code, span));
                    continue;
                }
                let mut used = false;
                for d in diagnostics.iter_mut() {
                    let at = d.primary.span.start;
                    if d.code == code
                        && d.primary.span.file == file.id
                        && at >= line_start
                        && at < next_line_end
                        && d.suppression.is_none()
                    {
                        d.suppression = Some(Suppression { span, justification: reason.to_string() });
                        used = true;
                    }
                }
                any_used |= used;
                if !used {
                    unused.push(
                        Diagnostic::new(
                            codes::PF9002,
                            span,
                            format!("this suppression of {} silences nothing", code.id),
                        )
                        .with_label("unused")
                        .with_help("remove it: the finding it was written for is gone"),
                    );
                }
            }
            // A comment that silences nothing at all can go; one that still silences a code stays.
            for d in unused {
                extra.push(if any_used {
                    d.with_help("remove this code from the list: the comment still silences another")
                } else {
                    remove_comment(d, source, span)
                });
            }
        }
    }
    diagnostics.extend(extra);
}

fn level_span(levels: &std::collections::BTreeMap<String, super::value::Item>, code: &str) -> Span {
    levels.get(code).map(|i| i.span).unwrap_or(Span { file: crate::source::FileId(0), start: 0, end: 0 })
}

fn unsilenceable(code: codes::Code, span: Span) -> Diagnostic {
    let allowed: Vec<&str> = codes::SILENCEABLE_ERRORS.iter().map(|c| c.id).collect();
    Diagnostic::new(codes::PF9004, span, format!("{} is an error pf cannot build past: it cannot be silenced", code.id))
        .with_label("not silenced")
        .with_help(format!(
            "fix the finding instead: with it, the generated files would be wrong or missing; warnings and {} may be silenced",
            allowed.join(", ")
        ))
}

fn unknown_code(id: &str, span: Span) -> Diagnostic {
    Diagnostic::new(codes::PF9003, span, format!("`{id}` is not a code that can be configured or suppressed"))
        .with_label("unknown code")
        .with_help("see `pf explain --list`; syntax errors (PF0xxx) cannot be silenced")
}

/// The byte range a suppression comment covers: its own line for a trailing comment, the next
/// line for a comment that stands alone on its line.
fn covered_range(file: &SourceFile, comment: Span) -> (u32, u32) {
    let line = file.line_index(comment.start as usize);
    let start = file.line_start(line);
    let trailing = !file.text[start..comment.start as usize].trim().is_empty();
    let line = if trailing { line } else { line + 1 };
    (file.line_start(line) as u32, file.line_start(line + 1) as u32)
}

/// `d` with a fix that removes the comment at `comment`: with its line when it stands alone on
/// it, or else with the spaces between it and the code it follows.
fn remove_comment(d: Diagnostic, file: &SourceFile, comment: Span) -> Diagnostic {
    let line = file.line_index(comment.start as usize);
    let line_start = file.line_start(line);
    let before = file.text[line_start..comment.start as usize].trim_end();
    let span = if before.is_empty() {
        Span::new(comment.file, line_start, file.line_start(line + 1))
    } else {
        Span::new(comment.file, line_start + before.len(), comment.end as usize)
    };
    d.with_fix("remove the suppression comment", span, "", Applicability::Safe)
}
