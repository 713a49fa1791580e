//! What is deployed is what was built: every file a deploy installs (`files = [SRC -> DST]`)
//! must be in the build's artifacts, since the revision CodeDeploy installs holds nothing else
//! (aws-facts D3.3: "every `files.source` exists in the build output"). Hook scripts are
//! checked by `rules` (PF4005); templates and configurations are pf's own output, which the build
//! always ships (`codegen::buildspec::app_artifacts`).

use super::resolve::Decls;
use super::value::Val;
use super::Ctx;
use crate::diagnostic::{codes, Applicability, Diagnostic};
use crate::ir::Program;
use crate::schema::DeclKind;

/// PF4050: a deploy file source that no artifact glob of the app's build covers.
pub fn deploy_files(ctx: &mut Ctx, program: &Program, decls: &Decls) {
    for app in &program.apps {
        let Some(decl) = decls.find(&[DeclKind::App], &app.name) else { continue };
        let Some(Val::Obj(deploy)) = decl.flat().get("deploy").map(|i| &i.val) else { continue };
        let Some(Val::List(files)) = deploy.get("files").map(|i| &i.val) else { continue };
        let artifacts = &app.build.artifacts;
        for item in files {
            let Val::Pair(source, _, span) = &item.val else { continue };
            if crate::glob::is_root(source) {
                continue;
            }
            let relative = source.trim_start_matches('/');
            let covered = artifacts.iter().any(|g| crate::glob::covers(g, relative));
            if covered && relative.len() == source.len() {
                continue;
            }
            let package = (!covered).then(|| artifacts_help(artifacts, relative));
            let d = if relative.len() < source.len() {
                // `/dist` reads as a path on the build machine or the instance: the revision's
                // paths are relative to its root.
                let mut d = Diagnostic::new(
                    codes::PF4050,
                    *span,
                    format!("`{source}` is an absolute path: a source is a path in the revision"),
                )
                .with_label("absolute path")
                .with_help(format!(
                    "write `{relative}`, relative to the revision's root (the build's working folder){}",
                    package.map(|h| format!("; then {h}")).unwrap_or_default()
                ));
                if covered {
                    d = d.with_fix(
                        format!("write `{relative}`"),
                        *span,
                        format!("\"{relative}\""),
                        Applicability::Unsafe,
                    );
                }
                d.with_note("`/` alone is the whole revision; any other source is a path under its root, as the build's artifacts are")
            } else {
                let label = if artifacts.is_empty() {
                    "the build ships no artifacts"
                } else {
                    "not in the build's artifacts"
                };
                Diagnostic::new(
                    codes::PF4050,
                    *span,
                    format!("`{source}` is installed by the deploy but the build does not package it"),
                )
                .with_label(label)
                .with_help(package.unwrap_or_default())
                .with_note("CodeDeploy installs files from the revision, which holds only the build's artifacts: the deployment would fail at Install")
            };
            ctx.push(d);
        }
    }
}

/// How to package `source`: the glob to add and the list to write.
fn artifacts_help(artifacts: &[String], source: &str) -> String {
    let glob = pattern_for(source);
    let or_file =
        if glob == source { String::new() } else { format!(", or `\"{source}\"` if it is one file") };
    let mut list: Vec<String> = artifacts.iter().map(|a| format!("\"{a}\"")).collect();
    list.push(format!("\"{glob}\""));
    let replaces = if artifacts.is_empty() { "" } else { " (a list replaces the preset's)" };
    format!(
        "add `\"{glob}\"` to the build's `artifacts`{or_file}: `artifacts = [{}]`{replaces}",
        list.join(", ")
    )
}

/// The glob that packages `source`: the file itself when its name has an extension, else the
/// folder's contents.
fn pattern_for(source: &str) -> String {
    let source = source.trim_start_matches("./").trim_end_matches('/');
    let last = source.rsplit('/').next().unwrap_or(source);
    if last.contains('.') {
        source.to_string()
    } else {
        format!("{source}/**/*")
    }
}

#[cfg(test)]
mod tests {
    use super::pattern_for;

    #[test]
    fn a_file_is_packaged_by_name_and_a_folder_by_its_contents() {
        assert_eq!(pattern_for("target/billing.jar"), "target/billing.jar");
        assert_eq!(pattern_for("web/static"), "web/static/**/*");
        assert_eq!(pattern_for("./web/"), "web/**/*");
    }
}
