//! "Did you mean" suggestions by edit distance.

/// The candidate closest to `name`, if it is close enough to be a likely typo and no other
/// candidate is as close (a tie is a guess, and suggestions become fixes); failing that,
/// the one candidate that is a shorter or longer form of it (`golang` for `go`, `py` for
/// `python`), when exactly one is and the shorter of the two has at least two characters.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    let lower_len = lower.chars().count();
    let mut forms: Vec<&'a str> = Vec::new();
    let mut closest: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for c in candidates {
        if c == name {
            continue;
        }
        let cl = lowercase(c);
        let (short, long) = if cl.len() < lower.len() { (&*cl, &*lower) } else { (&*lower, &*cl) };
        if short.chars().count() >= 2 && long.starts_with(short) {
            forms.push(c);
        }
        // The distance is at least the difference in length: most candidates of a large
        // program (1,800 environments) are ruled out here without the quadratic computation.
        if cl.chars().count().abs_diff(lower_len) > limit {
            continue;
        }
        let d = distance(&lower, &cl);
        match closest {
            _ if d > limit => {}
            Some((best, b)) if d == best && b != c => tied = true,
            Some((best, _)) if d >= best => {}
            _ => (closest, tied) = (Some((d, c)), false),
        }
    }
    if tied {
        return None;
    }
    closest.map(|(_, c)| c).or_else(|| {
        forms.sort_unstable();
        forms.dedup();
        match forms.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    })
}

/// `s` in lower case, borrowed when it is already (names in pf programs nearly always are).
fn lowercase(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        std::borrow::Cow::Owned(s.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// How many names a "known: ..." help lists before it says how many more there are.
const KNOWN_SHOWN: usize = 12;

/// `names` joined with commas for a "known: ..." help; a long list is cut after the first
/// [`KNOWN_SHOWN`] with the count of the rest (a program with 1,800 environments otherwise put
/// them all in one help).
pub fn known_list(names: &[&str]) -> String {
    if names.len() <= KNOWN_SHOWN {
        return names.join(", ");
    }
    format!("{}, and {} more", names[..KNOWN_SHOWN].join(", "), names.len() - KNOWN_SHOWN)
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

    #[test]
    fn length_bound_keeps_the_same_answers() {
        // Candidates too long or too short for the limit are skipped before the distance is
        // computed; one exactly at the limit is still found, and case is still ignored.
        assert_eq!(did_you_mean("cost_opti2ized", ["e1", "e2", "cost_optimized"]), Some("cost_optimized"));
        assert_eq!(did_you_mean("abcdef", ["abcdefgh"]), Some("abcdefgh"));
        assert_eq!(did_you_mean("abcdef", ["xabcdefgh"]), None);
        assert_eq!(did_you_mean("PROD", ["prod"]), Some("prod"));
        assert_eq!(did_you_mean("prod", ["Prdo"]), Some("Prdo"));
        // Two candidates as close are a guess: none is suggested (suggestions become fixes).
        assert_eq!(did_you_mean("pro", ["prx", "prb"]), None);
        assert_eq!(did_you_mean("test3", ["test1", "test2"]), None);
        // A closer one still wins over a tie further away, and a repeated candidate is one.
        assert_eq!(did_you_mean("test3", ["test1", "test2", "Test3"]), Some("Test3"));
        assert_eq!(did_you_mean("prdo", ["prod", "prod"]), Some("prod"));
    }

    #[test]
    fn long_known_lists_are_cut() {
        let names: Vec<String> = (0..20).map(|i| format!("e{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(known_list(&names[..2]), "e0, e1");
        assert_eq!(known_list(&names[..12]), names[..12].join(", "));
        let cut = known_list(&names);
        assert!(cut.starts_with("e0, e1, "), "{cut}");
        assert!(cut.ends_with("e11, and 8 more"), "{cut}");
    }
}
