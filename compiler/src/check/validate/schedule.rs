//! EventBridge schedule expressions, as EventBridge parses them.
//!
//! Source: Amazon EventBridge User Guide, "Schedule expressions for rules"
//! (`eb-scheduled-rule-pattern`): `rate(value unit)` with a positive whole value and the unit
//! `minute`, `hour` or `day`, singular for 1 and plural otherwise; `cron(minutes hours
//! day-of-month month day-of-week year)`, six fields, where exactly one of day-of-month and
//! day-of-week is `?`.
//!
//! Deployment windows (CodePipeline's `DeploymentWindow` rule) use the same field syntax in
//! Quartz's layout: source CodePipeline User Guide, "DeploymentWindow" rule reference
//! (`rule-reference-DeploymentWindow`): six required fields and an optional year, `seconds
//! minutes hours day-of-month month day-of-week [year]`, the same values and special
//! characters, without a `cron(...)` wrapper; and a `TimeZone` that is `Region/City`, `UTC` with
//! an optional `+HH:MM`/`-HH:MM` offset, or a 3 to 5 letter abbreviation.

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

const WINDOW_HELP: &str = "write `seconds minutes hours day-of-month month day-of-week [year]`, e.g. `* * 9-16 ? * MON-THU *` (Monday to Thursday, 09:00 to 16:59)";

/// Checks a deployment window: a Quartz cron expression of the times a deploy may start.
pub fn window(text: &str) -> Result<(), Invalid> {
    let bad = |help: String, fix: Option<String>| {
        Err(Invalid::format(format!("`{text}` is not a valid deployment window"), help, fix))
    };
    let t = text.trim();
    if let Some(inner) = t.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return bad(
            format!("a deployment window is the fields alone, without `cron(...)`, and starts with seconds: {WINDOW_HELP}"),
            Some(format!("* {inner}")).filter(|f| f.split_whitespace().count() == 7),
        );
    }
    let mut f: Vec<String> = t.split_whitespace().map(str::to_string).collect();
    if f.len() == 5 {
        // A crontab line: seconds in front, a year behind, and `?` in one day field.
        let mut fixed: Vec<String> = std::iter::once("*".to_string()).chain(f.iter().cloned()).collect();
        fixed.push("*".into());
        let mut days =
            vec![fixed[1].clone(), fixed[2].clone(), fixed[3].clone(), fixed[4].clone(), fixed[5].clone()];
        question_rule(&mut days);
        fixed[3] = days[2].clone();
        fixed[5] = days[4].clone();
        let fixed = fixed.join(" ");
        return bad(
            format!("a deployment window has six or seven fields, the first the seconds: write `{fixed}`"),
            Some(fixed),
        );
    }
    if f.len() != 6 && f.len() != 7 {
        return bad(
            format!("a deployment window has six or seven fields, not {}: {WINDOW_HELP}", f.len()),
            None,
        );
    }
    // The rule reference's table allows only `*` for seconds; its own example writes `0`.
    if f[0] != "*" && f[0] != "0" {
        let mut fixed = f.clone();
        fixed[0] = "*".into();
        return bad(
            format!("the seconds field `{}` is `*` in a deployment window (windows are whole minutes)", f[0]),
            Some(fixed.join(" ")),
        );
    }
    // Field `i` of the window is EventBridge's field `i - 1`: same ranges, same day rules.
    let limits: [(&str, u32, u32, &[&str]); 6] = [
        ("minutes", 0, 59, &[]),
        ("hours", 0, 23, &[]),
        ("day-of-month", 1, 31, &[]),
        ("month", 1, 12, MONTHS),
        ("day-of-week", 1, 7, DAYS),
        ("year", 1970, 2199, &[]),
    ];
    for (i, (name, lo, hi, words)) in limits.iter().enumerate().take(f.len() - 1) {
        if let Err(why) = field(&f[i + 1], *lo, *hi, words, i) {
            let mut fixed = f.clone();
            let fix = why.1.map(|v| {
                fixed[i + 1] = v;
                fixed.join(" ")
            });
            return bad(format!("the {name} field `{}` {}; it takes {lo}-{hi}", f[i + 1], why.0), fix);
        }
    }
    let (dom, dow) = (f[3].as_str(), f[5].as_str());
    if (dom == "?") == (dow == "?") {
        let why = if dom == "?" { "both are `?`" } else { "neither is `?`" };
        let mut days: Vec<String> = f[1..6].to_vec();
        question_rule(&mut days);
        f[3] = days[2].clone();
        f[5] = days[4].clone();
        let fixed = f.join(" ");
        return bad(
            format!("exactly one of day-of-month and day-of-week is `?` ({why}): write `{fixed}`"),
            Some(fixed),
        );
    }
    Ok(())
}

/// Checks a deployment window's time zone: `Region/City`, `UTC[+-HH:MM]`, or an abbreviation.
pub fn time_zone(text: &str) -> Result<(), Invalid> {
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
    let ok = match text.split_once('/') {
        Some((region, city)) => {
            word(region) && word(city) && region.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        }
        None => {
            if let Some(offset) = text.strip_prefix("UTC") {
                offset.is_empty() || {
                    let b = offset.as_bytes();
                    b.len() == 6
                        && (b[0] == b'+' || b[0] == b'-')
                        && b[1..3].iter().all(u8::is_ascii_digit)
                        && b[3] == b':'
                        && b[4..6].iter().all(u8::is_ascii_digit)
                        && offset[1..3].parse::<u32>().is_ok_and(|h| h <= 14)
                        && offset[4..6].parse::<u32>().is_ok_and(|m| m < 60)
                }
            } else {
                (3..=5).contains(&text.len()) && text.chars().all(|c| c.is_ascii_uppercase())
            }
        }
    };
    if ok {
        return Ok(());
    }
    let fix = if text.eq_ignore_ascii_case("utc") { Some("UTC".to_string()) } else { None };
    Err(Invalid::format(
        format!("`{text}` is not a time zone CodePipeline accepts"),
        "write `Region/City` (`Europe/Berlin`), `UTC` with an optional offset (`UTC+05:30`), or a 3 to 5 letter abbreviation (`EST`)",
        fix,
    ))
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
    fn deployment_windows_as_codepipeline_documents_them() {
        use super::{time_zone, window};
        for ok in [
            "* * 9-16 ? * MON-THU *",
            "0 0 9-17 ? * MON-FRI *",
            "* * 9-16 ? * MON-THU",
            "* 0/30 * L * ? 2030",
        ] {
            assert_eq!(window(ok), Ok(()), "{ok}");
        }
        let fix = |t: &str| window(t).err().and_then(|e| e.fix);
        assert_eq!(fix("0 9-16 * * MON-THU").as_deref(), Some("* 0 9-16 ? * MON-THU *"));
        assert_eq!(fix("* * 9-16 * * MON-THU *").as_deref(), Some("* * 9-16 ? * MON-THU *"));
        assert_eq!(fix("5 * 9-16 ? * MON-THU *").as_deref(), Some("* * 9-16 ? * MON-THU *"));
        assert_eq!(fix("cron(* 9-16 ? * MON-THU *)").as_deref(), Some("* * 9-16 ? * MON-THU *"));
        assert!(window("* * 24 ? * MON *").is_err());
        assert!(window("* * 9 ? * MONDAY *").is_err());
        assert!(window("* * 9 ? * MON * *").is_err());
        for ok in ["Europe/Berlin", "America/New_York", "UTC", "UTC+05:30", "UTC-03:00", "EST", "PST"] {
            assert_eq!(time_zone(ok), Ok(()), "{ok}");
        }
        for bad in ["europe/berlin", "UTC+5", "Berlin", "CET+1", "America/Argentina/Buenos_Aires", ""] {
            assert!(time_zone(bad).is_err(), "{bad}");
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
