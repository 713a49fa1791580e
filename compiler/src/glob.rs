//! Glob matching for artifact paths: `*` (within a path segment), `**` (any number of
//! segments) and `?` (one character), as CodeBuild's artifact `files` use them.

/// Whether `path` matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let segs: Vec<&str> = path.trim_start_matches("./").split('/').collect();
    match_segments(&pat, &segs)
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
    use super::matches;

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
}
