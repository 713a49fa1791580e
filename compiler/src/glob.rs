//! Glob matching for artifact paths: `*` (within a path segment), `**` (any number of
//! segments) and `?` (one character), as CodeBuild's artifact `files` use them.

/// Whether `path` matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let segs: Vec<&str> = path.trim_start_matches("./").split('/').collect();
    match_segments(&pat, &segs)
}

/// Whether `pattern` matches `path` or some file under it: what a deploy file source, which may
/// be a file or a folder, needs to be in the artifacts. The source `/` (the whole revision) is
/// covered by any pattern.
pub fn covers(pattern: &str, path: &str) -> bool {
    if is_root(path) {
        return true;
    }
    let path = path.trim_start_matches("./").trim_end_matches('/');
    let pat: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    match_under(&pat, &segs)
}

/// Whether `path` is the root folder (`/`, `.`, `./`): a deploy source for the whole revision.
pub fn is_root(path: &str) -> bool {
    matches!(path.trim_start_matches("./").trim_end_matches('/'), "" | ".")
}

/// Like `match_segments`, but a pattern left over once the path's segments are used up matches
/// what lies under the path.
fn match_under(pat: &[&str], segs: &[&str]) -> bool {
    match (pat.split_first(), segs.split_first()) {
        (None, _) => segs.is_empty(),
        (Some(_), None) => true,
        (Some((&"**", rest)), Some(_)) => (0..=segs.len()).any(|i| match_under(rest, &segs[i..])),
        (Some((p, rest)), Some((s, srest))) => {
            match_segment(p.as_bytes(), s.as_bytes()) && match_under(rest, srest)
        }
    }
}

fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| match_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => match_segment(p.as_bytes(), s.as_bytes()) && match_segments(rest, srest),
            None => false,
        },
    }
}

fn match_segment(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| match_segment(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && match_segment(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && match_segment(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::{covers, matches};

    #[test]
    fn globs() {
        assert!(matches("scripts/**/*", "scripts/start.sh"));
        assert!(matches("scripts/**/*", "scripts/a/b/start.sh"));
        assert!(matches("**/*", "appspec.yml"));
        assert!(matches("dist/*.sh", "dist/run.sh"));
        assert!(!matches("dist/*.sh", "dist/a/run.sh"));
        assert!(matches("appspec.yml", "appspec.yml"));
        assert!(!matches("scripts/*", "bin/start.sh"));
        assert!(matches("file?.txt", "file1.txt"));
    }

    #[test]
    fn covered_files_and_folders() {
        // A file the pattern matches, and a folder with files the pattern matches.
        assert!(covers("dist/**/*", "dist/server"));
        assert!(covers("dist/**/*", "dist"));
        assert!(covers("dist/**/*", "./dist/"));
        assert!(covers("target/*.jar", "target/billing.jar"));
        assert!(covers("target/*.jar", "target"));
        assert!(covers("**/*", "catalog"));
        assert!(covers("package.json", "package.json"));
        // The whole revision.
        assert!(covers("dist/**/*", "/"));
        // Nothing the pattern matches is in the source.
        assert!(!covers("dist/**/*", "build/server"));
        assert!(!covers("dist/**/*", "distribution"));
        assert!(!covers("target/*.jar", "target/classes/app.class"));
        assert!(!covers("package.json", "package.json.bak"));
        assert!(!covers("scripts/**/*", "catalog"));
    }
}
