//! Git branch and tag names.
//!
//! Source: `git check-ref-format` (git-scm.com/docs/git-check-ref-format): no space, control
//! character, `~`, `^`, `:`, `\`, `?`, `*` or `[`; no `..` or `@{`; no component starting with
//! `.` or ending with `.lock`; no leading `-`, no trailing `/` or `.`, no `//`. CodePipeline's
//! `BranchName` is the short name (`main`, not `refs/heads/main`). Trigger filter patterns may
//! use the glob characters `*`, `?`, `[`, `]`, `{`, `}` and `!`.

use super::Invalid;

/// Checks a branch name, or with `pattern` a branch or tag filter pattern.
pub fn branch(text: &str, pattern: bool) -> Result<(), Invalid> {
    let what = if pattern { "branch or tag pattern" } else { "git branch name" };
    let problem = problem(text, pattern);
    match problem {
        None => Ok(()),
        Some(why) => {
            let fixed = repair(text, pattern);
            let fix = (!fixed.is_empty() && problem_of_fixed(&fixed, pattern)).then_some(fixed);
            let help = match &fix {
                Some(f) => format!("{why}: write `{f}`"),
                None => format!("{why}: write a branch name such as `main` or `release/1.2`"),
            };
            Err(Invalid::format(format!("`{text}` is not a valid {what}"), help, fix))
        }
    }
}

fn problem_of_fixed(fixed: &str, pattern: bool) -> bool {
    problem(fixed, pattern).is_none()
}

fn problem(text: &str, pattern: bool) -> Option<String> {
    if text.is_empty() {
        return Some("a branch name is not empty".into());
    }
    if !pattern && text.starts_with("refs/") {
        return Some("CodePipeline takes the short name of the branch".into());
    }
    if let Some(c) = text.chars().find(|c| {
        c.is_whitespace() || c.is_control() || "~^:\\".contains(*c) || (!pattern && "?*[".contains(*c))
    }) {
        return Some(format!("git does not allow `{}` in a branch name", c.escape_default()));
    }
    if text.contains("..") {
        return Some("git does not allow `..` in a branch name".into());
    }
    if text.contains("@{") || text == "@" {
        return Some("git does not allow `@{` in a branch name".into());
    }
    if text.starts_with('-') {
        return Some("a branch name does not start with `-`".into());
    }
    if text.ends_with('/') || text.ends_with('.') || text.contains("//") {
        return Some("a branch name has no empty component and does not end with `/` or `.`".into());
    }
    if text.split('/').any(|c| c.starts_with('.') || c.ends_with(".lock")) {
        return Some("no component of a branch name starts with `.` or ends with `.lock`".into());
    }
    None
}

/// The nearest valid name: the short name, spaces and forbidden characters as `-`, `..` as `.`,
/// no `.lock`, no empty components.
fn repair(text: &str, pattern: bool) -> String {
    let short = text.strip_prefix("refs/heads/").or_else(|| text.strip_prefix("refs/tags/")).unwrap_or(text);
    let mut s: String = short
        .chars()
        .map(|c| {
            if c.is_whitespace() || (!pattern && "?*[".contains(c)) || "~^:\\".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    // `main~1` means a commit before main: the branch is `main`.
    if let Some(p) = short.find(['~', '^']) {
        s.truncate(p);
    }
    while s.contains("..") {
        s = s.replace("..", ".");
    }
    s = s.replace("@{", "@");
    let parts: Vec<String> = s
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_start_matches('.').trim_end_matches(".lock").to_string())
        .filter(|p| !p.is_empty())
        .collect();
    parts.join("/").trim_start_matches('-').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::branch;

    fn fix(t: &str) -> Option<String> {
        branch(t, false).err().and_then(|e| e.fix)
    }

    #[test]
    fn valid_names_pass_and_invalid_ones_get_the_nearest() {
        for ok in ["main", "release/1.2", "feature/x-y_z", "v1.0"] {
            assert!(branch(ok, false).is_ok(), "{ok}");
        }
        assert!(branch("release/*", true).is_ok());
        assert!(branch("release/*", false).is_err());
        assert_eq!(fix("release..1").as_deref(), Some("release.1"));
        assert_eq!(fix("my branch").as_deref(), Some("my-branch"));
        assert_eq!(fix("feature/").as_deref(), Some("feature"));
        assert_eq!(fix("main.lock").as_deref(), Some("main"));
        assert_eq!(fix("refs/heads/main").as_deref(), Some("main"));
        assert_eq!(fix("main~1").as_deref(), Some("main"));
        assert_eq!(fix(""), None);
    }
}
