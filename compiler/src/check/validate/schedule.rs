//! EventBridge schedule expressions, as EventBridge parses them.
//!
//! Source: Amazon EventBridge User Guide, "Schedule expressions for rules"
//! (`eb-scheduled-rule-pattern`): `rate(value unit)` with a positive whole value and the unit
//! `minute`, `hour` or `day`, singular for 1 and plural otherwise; `cron(minutes hours
//! day-of-month month day-of-week year)`, six fields, where exactly one of day-of-month and
//! day-of-week is `?`.

use super::Invalid;

const HELP: &str = "write `cron(minutes hours day-of-month month day-of-week year)`, e.g. `cron(0 3 * * ? *)`, or `rate(1 day)`";

/// Checks a schedule expression.
pub fn check(text: &str) -> Result<(), Invalid> {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        return rate(text, inner);
    }
    if let Some(inner) = t.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return cron(text, inner);
    }
    // A bare crontab line: EventBridge needs the wrapper (and six fields).
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() == 5 || fields.len() == 6 {
        let fixed = from_fields(&fields);
        return Err(Invalid::format(
            format!("`{text}` is not an EventBridge schedule expression"),
            format!("EventBridge needs `cron(...)` around the fields: write `{fixed}`"),
            Some(fixed),
        ));
    }
    Err(Invalid::format(format!("`{text}` is not an EventBridge schedule expression"), HELP, None))
}

/// `cron(...)` of crontab-style fields: a year added, and `?` in the day field that is `*`.
fn from_fields(fields: &[&str]) -> String {
    let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    if f.len() == 5 {
        f.push("*".into());
    }
    question_rule(&mut f);
    format!("cron({})", f.join(" "))
}

/// Makes exactly one of day-of-month and day-of-week `?`.
fn question_rule(f: &mut [String]) {
    match (f[2].as_str(), f[4].as_str()) {
        ("?", "?") => f[2] = "*".into(),
        (_, "?") | ("?", _) => {}
        (_, "*") => f[4] = "?".into(),
        ("*", _) => f[2] = "?".into(),
        _ => f[4] = "?".into(),
    }
}

fn rate(text: &str, inner: &str) -> Result<(), Invalid> {
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let bad = |help: String, fix: Option<String>| {
        Err(Invalid::format(format!("`{text}` is not a valid rate expression"), help, fix))
    };
    let [value, unit] = parts.as_slice() else {
        return bad("write `rate(VALUE UNIT)`, e.g. `rate(1 day)` or `rate(5 minutes)`".into(), None);
    };
    let Ok(n) = value.parse::<u64>() else {
        return bad(format!("the value is a whole number of minutes, hours or days, not `{value}`"), None);
    };
    let base = match unit.trim_end_matches('s') {
        "minute" | "min" => "minute",
        "hour" | "hr" => "hour",
        "day" => "day",
        "week" => {
            let days = n * 7;
            return bad(
                format!("EventBridge rates are in minutes, hours or days: write `rate({days} days)`"),
                Some(format!("rate({days} days)")),
            );
        }
        "second" | "sec" => {
            return bad("EventBridge rates are at least one minute".into(), Some("rate(1 minute)".into()))
        }
        _ => return bad(format!("the unit is minute(s), hour(s) or day(s), not `{unit}`"), None),
    };
    let n = if n == 0 {
        return bad("the value is at least 1".into(), Some(format!("rate(1 {base})")));
    } else {
        n
    };
    let want = if n == 1 { base.to_string() } else { format!("{base}s") };
    if *unit != want {
        let fixed = format!("rate({n} {want})");
        return bad(
            format!("EventBridge wants the singular for 1 and the plural otherwise: write `{fixed}`"),
            Some(fixed),
        );
    }
    Ok(())
}

const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn cron(text: &str, inner: &str) -> Result<(), Invalid> {
    let mut f: Vec<String> = inner.split_whitespace().map(str::to_string).collect();
    let bad = |help: String, fix: Option<String>| {
        Err(Invalid::format(format!("`{text}` is not a valid cron expression"), help, fix))
    };
    if f.len() == 5 {
        let fields: Vec<&str> = f.iter().map(String::as_str).collect();
        let fixed = from_fields(&fields);
        return bad(
            format!("EventBridge cron has six fields, the last the year: write `{fixed}`"),
            Some(fixed),
        );
    }
    if f.len() != 6 {
        return bad(format!("EventBridge cron has six fields, not {}: {HELP}", f.len()), None);
    }
    let limits: [(&str, u32, u32, &[&str]); 6] = [
        ("minutes", 0, 59, &[]),
        ("hours", 0, 23, &[]),
        ("day-of-month", 1, 31, &[]),
        ("month", 1, 12, MONTHS),
        ("day-of-week", 1, 7, DAYS),
        ("year", 1970, 2199, &[]),
    ];
    for (i, (name, lo, hi, words)) in limits.iter().enumerate() {
        if let Err(why) = field(&f[i], *lo, *hi, words, i) {
            let mut fixed = f.clone();
            let fix = why.1.map(|v| {
                fixed[i] = v;
                format!("cron({})", fixed.join(" "))
            });
            return bad(format!("the {name} field `{}` {}; it takes {lo}-{hi}", f[i], why.0), fix);
        }
    }
    let (dom, dow) = (f[2].as_str(), f[4].as_str());
    if (dom == "?") == (dow == "?") {
        let why = if dom == "?" { "both are `?`" } else { "neither is `?`" };
        question_rule(&mut f);
        let fixed = format!("cron({})", f.join(" "));
        return bad(
            format!("exactly one of day-of-month and day-of-week is `?` ({why}): write `{fixed}`"),
            Some(fixed),
        );
    }
    Ok(())
}

/// Checks one cron field: `*`, `?`, values, ranges `a-b`, lists `a,b`, steps `a/n`, and the
/// `L`, `W` and `#` forms of the day fields. `Err` says why, and a corrected field if one is clear.
fn field(text: &str, lo: u32, hi: u32, words: &[&str], index: usize) -> Result<(), (String, Option<String>)> {
    let day = index == 2 || index == 4;
    if text == "*" || (day && text == "?") {
        return Ok(());
    }
    if text == "?" {
        return Err(("cannot be `?` (only the day fields can)".into(), Some("*".into())));
    }
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = step {
            if s.parse::<u32>().map_or(true, |n| n == 0) {
                return Err((format!("has the step `{s}`"), None));
            }
        }
        if range == "*" {
            continue;
        }
        let value = |v: &str| -> Result<u32, (String, Option<String>)> {
            let v = if day { v.trim_end_matches(['L', 'W']) } else { v };
            let v = if index == 4 { v.split('#').next().unwrap_or(v) } else { v };
            if v.is_empty() && day {
                return Ok(lo);
            }
            if let Some(p) = words.iter().position(|w| w.eq_ignore_ascii_case(v)) {
                return Ok(lo + p as u32);
            }
            if let Some(w) = words.iter().find(|w| v.len() > 3 && v.to_ascii_uppercase().starts_with(*w)) {
                return Err((format!("names `{v}`: use the three-letter name"), Some(w.to_string())));
            }
            match v.parse::<u32>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                Ok(n) => Err((format!("has `{n}`, out of range"), None)),
                Err(_) => Err((format!("has `{v}`"), None)),
            }
        };
        match range.split_once('-') {
            Some((a, b)) => {
                value(a)?;
                value(b)?;
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    fn fix(text: &str) -> Option<String> {
        check(text).err().and_then(|e| e.fix)
    }

    #[test]
    fn valid_expressions_pass() {
        for ok in [
            "cron(0 3 * * ? *)",
            "cron(0/15 8-17 ? * MON-FRI *)",
            "cron(0 12 L * ? 2030)",
            "rate(1 day)",
            "rate(5 minutes)",
            "cron(0 0 ? * 6#3 *)",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_expressions_name_the_nearest_valid_one() {
        assert_eq!(fix("0 3 * * *").as_deref(), Some("cron(0 3 * * ? *)"));
        assert_eq!(fix("cron(0 3 * * *)").as_deref(), Some("cron(0 3 * * ? *)"));
        assert_eq!(fix("cron(0 3 * * * *)").as_deref(), Some("cron(0 3 * * ? *)"));
        assert_eq!(fix("cron(0 3 ? * ? *)").as_deref(), Some("cron(0 3 * * ? *)"));
        assert_eq!(fix("cron(0 3 ? * MONDAY *)").as_deref(), Some("cron(0 3 ? * MON *)"));
        assert_eq!(fix("rate(1 days)").as_deref(), Some("rate(1 day)"));
        assert_eq!(fix("rate(5 minute)").as_deref(), Some("rate(5 minutes)"));
        assert_eq!(fix("rate(2 weeks)").as_deref(), Some("rate(14 days)"));
        assert!(check("cron(60 3 * * ? *)").is_err());
        assert!(check("cron(0 24 * * ? *)").is_err());
        assert!(check("cron(0 3 1 13 ? *)").is_err());
        assert!(check("every day").is_err());
    }
}
