//! "Did you mean" suggestions by edit distance.

/// The candidate closest to `name`, if it is close enough to be a likely typo; failing that,
/// the one candidate that is a shorter or longer form of it (`golang` for `go`, `py` for
/// `python`), when exactly one is and the shorter of the two has at least two characters.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    let mut forms: Vec<&'a str> = Vec::new();
    let closest = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let cl = c.to_lowercase();
            let (short, long) = if cl.len() < lower.len() { (&cl, &lower) } else { (&lower, &cl) };
            if short.chars().count() >= 2 && long.starts_with(short.as_str()) {
                forms.push(c);
            }
            (distance(&lower, &cl), c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c);
    closest.or_else(|| {
        forms.sort_unstable();
        forms.dedup();
        match forms.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    })
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("require_approval", ["requires_approval", "notify"]),
            Some("requires_approval")
        );
        assert_eq!(did_you_mean("prdo", ["prod", "test"]), Some("prod"));
        assert_eq!(did_you_mean("zzz", ["prod", "test"]), None);
    }

    #[test]
    fn suggests_the_one_longer_or_shorter_form() {
        // Too far for a typo, but a longer form of `go` and a shorter one of `python`.
        assert_eq!(did_you_mean("golang", ["go", "node", "python"]), Some("go"));
        assert_eq!(did_you_mean("py", ["go", "node", "python"]), Some("python"));
        assert_eq!(did_you_mean("Production", ["prod", "test"]), Some("prod"));
        // A candidate listed twice is still one candidate.
        assert_eq!(did_you_mean("golang", ["go", "go", "node"]), Some("go"));
        // A typo wins over a form.
        assert_eq!(did_you_mean("nodes", ["node", "nodejs_extra"]), Some("node"));
        // Ambiguous forms, or a one-character one, suggest nothing.
        assert_eq!(did_you_mean("health", ["health_check", "health_interval"]), None);
        assert_eq!(did_you_mean("j", ["java", "go"]), None);
        assert_eq!(did_you_mean("gopher", ["g", "java"]), None);
        // The name itself is never suggested.
        assert_eq!(did_you_mean("go", ["go"]), None);
    }
}
