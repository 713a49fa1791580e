//! What to type instead: the hints of a line that did not parse.
//!
//! A line `key = VALUE` whose value is not a pf literal is often a literal written another way:
//! a duration or size in words (`2 mins`, `100GiB`), a decimal (`1.5h`), quotes from a word
//! processor (`“shop”`) or single quotes, a value that needs quotes (`2xlarge`), a CIDR block
//! without its prefix length. [`line`] recognises them and gives the accepted spelling.

use crate::diagnostic::{codes, Code};

/// A hint for an invalid line: the code, message and help, and the fix as a byte range of the
/// line and its replacement.
pub struct Hint {
    pub code: Code,
    pub message: String,
    pub help: String,
    pub fix: Option<(usize, usize, String)>,
}

/// The hint for the invalid line `text`, if its value is a known other spelling.
pub fn line(text: &str) -> Option<Hint> {
    if let Some(h) = non_ascii(text) {
        return Some(h);
    }
    let eq = text.find('=')?;
    let key = text[..eq].trim();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    let start = eq + 1 + (text[eq + 1..].len() - text[eq + 1..].trim_start().len());
    let end = value_end(text, start);
    let value = text[start..end].trim_end();
    let end = start + value.len();
    value_hint(key, value).map(|(code, message, help, fixed)| Hint {
        code,
        message,
        help,
        fix: fixed.map(|f| (start, end, f)),
    })
}

/// Where the value starting at `start` ends: the first `,` outside quotes, or the end.
fn value_end(text: &str, start: usize) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in text[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'' | '“' | '‘') => quote = Some(c),
            (Some('"'), '"') | (Some('\''), '\'') | (Some('“'), '”' | '“') | (Some('‘'), '’' | '‘') => {
                quote = None
            }
            (None, ',') => return start + i,
            _ => {}
        }
    }
    text.len()
}

type ValueHint = (Code, String, String, Option<String>);

fn value_hint(key: &str, v: &str) -> Option<ValueHint> {
    let pf0001 =
        |message: String, help: String, fix: Option<String>| Some((codes::PF0001, message, help, fix));
    // Quotes from a word processor, or single quotes.
    if v.contains(['“', '”', '‘', '’']) || (v.len() >= 2 && v.starts_with('\'') && v.ends_with('\''))
    {
        let fixed: String = v.chars().map(|c| if "“”‘’'".contains(c) { '"' } else { c }).collect();
        let which = if v.starts_with('\'') { "single quotes" } else { "typographic quotes" };
        return pf0001(
            format!("`{key}` is written with {which}"),
            format!("strings are written in straight double quotes: `{fixed}`"),
            Some(fixed),
        );
    }
    if let Some(h) = quantity(key, v) {
        return Some(h);
    }
    // Four numbers: a CIDR block without its prefix length.
    if v.split('.').count() == 4 && v.split('.').all(|o| o.parse::<u8>().is_ok()) {
        return Some((
            codes::PF0011,
            format!("`{v}` is an address, not a CIDR block"),
            format!("a CIDR block has a prefix length: `{v}/16` for a VPC, `{v}/24` for a subnet"),
            Some(format!("{v}/16")),
        ));
    }
    // A decimal number.
    if let Some((a, b)) = v.split_once('.') {
        if !a.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && !b.is_empty()
            && b.bytes().all(|c| c.is_ascii_digit())
        {
            return pf0001(
                format!("`{v}` is not a whole number"),
                "numbers in pf are whole numbers".into(),
                None,
            );
        }
    }
    // A word that is no literal: it needs quotes.
    if !v.is_empty()
        && !v.contains(char::is_whitespace)
        && !v.contains(['"', '[', ']', '{', '}', '(', ')', '='])
    {
        let fixed = format!("\"{v}\"");
        return pf0001(
            format!("`{v}` is not a value pf reads without quotes"),
            format!("write it as a string: `{fixed}`"),
            Some(fixed),
        );
    }
    None
}

/// Durations and sizes written another way: `2 mins`, `90mins`, `1.5h`, `100GiB`, `100 GB`.
fn quantity(key: &str, v: &str) -> Option<ValueHint> {
    let digits_end = v.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(v.len());
    let (number, unit) = (&v[..digits_end], v[digits_end..].trim_start());
    if number.is_empty() || unit.is_empty() || !unit.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let lower = unit.to_ascii_lowercase();
    let duration = match lower.as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(("s", 1u64)),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(("m", 60)),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(("h", 3600)),
        "d" | "day" | "days" => Some(("d", 86_400)),
        "w" | "wk" | "week" | "weeks" => Some(("w", 7 * 86_400)),
        _ => None,
    };
    let size = match lower.trim_end_matches('b').trim_end_matches('i') {
        "k" => Some("KB"),
        "m" if unit.len() > 1 => Some("MB"),
        "g" => Some("GB"),
        "t" => Some("TB"),
        _ => None,
    };
    let fixed = if let Some((suffix, secs)) = duration {
        let total = whole(number, secs)?;
        // The largest unit that keeps it whole.
        [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
            .iter()
            .find(|(u, s)| {
                total % u == 0 && (suffix == "w" || *u <= secs || number.contains('.')) && *s != "w"
            })
            .map(|(u, s)| format!("{}{s}", total / u))?
    } else if let Some(suffix) = size {
        if number.contains('.') {
            return None;
        }
        format!("{number}{suffix}")
    } else {
        return None;
    };
    let what = if duration.is_some() { "duration" } else { "size" };
    let units = if duration.is_some() { "s, m, h or d" } else { "KB, MB, GB or TB, powers of 1024" };
    Some((
        codes::PF0001,
        format!("`{v}` is not how pf writes a {what}"),
        format!("`{key}` takes a whole number and a unit ({units}) with no space: write `{fixed}`"),
        Some(fixed),
    ))
}

/// `number` (maybe a decimal) times `unit` seconds, if that is a whole number of seconds.
fn whole(number: &str, unit: u64) -> Option<u64> {
    match number.split_once('.') {
        None => number.parse::<u64>().ok()?.checked_mul(unit),
        Some((a, b)) => {
            let scale = 10u64.checked_pow(b.len() as u32)?;
            let n = format!("{a}{b}").parse::<u64>().ok()?.checked_mul(unit)?;
            (n % scale == 0).then(|| n / scale)
        }
    }
}

/// A name with a letter outside ASCII (`app café`): identifiers are ASCII.
fn non_ascii(text: &str) -> Option<Hint> {
    // Outside strings and comments only.
    let mut in_string = false;
    let mut cut = text.len();
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => {
                cut = i;
                break;
            }
            _ => {}
        }
    }
    let code_part = &text[..cut];
    let mut in_string = false;
    let mut found = None;
    for (i, c) in code_part.char_indices() {
        if c == '"' {
            in_string = !in_string;
        } else if !in_string && !c.is_ascii() && c.is_alphanumeric() {
            found = Some(i);
            break;
        }
    }
    let at = found?;
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let start =
        code_part[..at].char_indices().rev().find(|(_, c)| !is_word(*c)).map_or(0, |(p, c)| p + c.len_utf8());
    let end = code_part[at..].find(|c: char| !is_word(c)).map_or(code_part.len(), |p| at + p);
    let word = &code_part[start..end];
    let fixed: String = word.chars().map(fold).collect();
    let bad = code_part[at..].chars().next()?;
    Some(Hint {
        code: codes::PF0012,
        message: format!("`{word}` is not an identifier: `{bad}` is not ASCII"),
        help: format!(
            "names of declarations, blocks and fields are ASCII letters, digits, `_` and `-` (strings may hold any text): write `{fixed}`"
        ),
        fix: Some((start, end, fixed)),
    })
}

/// The ASCII letter a letter with a diacritic stands for, or `_`.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    const TABLE: &[(&str, char)] = &[
        ("àáâãäåāă", 'a'),
        ("çćč", 'c'),
        ("ďđ", 'd'),
        ("èéêëēěę", 'e'),
        ("ìíîïī", 'i'),
        ("ñńň", 'n'),
        ("òóôõöøō", 'o'),
        ("ŕř", 'r'),
        ("śšş", 's'),
        ("ťţ", 't'),
        ("ùúûüūů", 'u'),
        ("ýÿ", 'y'),
        ("źżž", 'z'),
        ("ł", 'l'),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    let folded = TABLE.iter().find(|(set, _)| set.contains(lower)).map_or('_', |(_, a)| *a);
    if c.is_uppercase() {
        folded.to_ascii_uppercase()
    } else {
        folded
    }
}

#[cfg(test)]
mod tests {
    use super::line;

    fn fixed(text: &str) -> Option<String> {
        line(text).and_then(|h| h.fix).map(|(s, e, r)| format!("{}{r}{}", &text[..s], &text[e..]))
    }

    #[test]
    fn other_spellings_get_the_accepted_one() {
        assert_eq!(fixed("timeout = 2 mins").as_deref(), Some("timeout = 2m"));
        assert_eq!(fixed("timeout = 90mins").as_deref(), Some("timeout = 90m"));
        assert_eq!(fixed("timeout = 3days").as_deref(), Some("timeout = 3d"));
        assert_eq!(fixed("timeout = 1.5h").as_deref(), Some("timeout = 90m"));
        assert_eq!(fixed("timeout = 2 weeks").as_deref(), Some("timeout = 14d"));
        assert_eq!(fixed("storage = 100GiB").as_deref(), Some("storage = 100GB"));
        assert_eq!(fixed("storage = 100 gb").as_deref(), Some("storage = 100GB"));
        assert_eq!(fixed("storage = 1TiB").as_deref(), Some("storage = 1TB"));
        assert_eq!(
            fixed("repository = “shop”, branch = \"main\"").as_deref(),
            Some("repository = \"shop\", branch = \"main\"")
        );
        assert_eq!(fixed("repository = 'shop'").as_deref(), Some("repository = \"shop\""));
        assert_eq!(fixed("compute = 2xlarge").as_deref(), Some("compute = \"2xlarge\""));
        assert_eq!(fixed("cidr = 10.0.0.0").as_deref(), Some("cidr = 10.0.0.0/16"));
        assert_eq!(fixed("app café {").as_deref(), Some("app cafe {"));
        assert!(line("port = 8080.5").is_some_and(|h| h.fix.is_none()));
        assert!(line("port: 8080").is_none());
        assert!(line("name = \"café\" x").is_none());
    }
}
