//! An estimate as text: human (a terminal), markdown (a pull-request comment) or JSON
//! (versioned: `"version": 1`).

use super::{Estimate, Group, Line};
use serde_json::{json, Value};
use std::fmt::Write;

/// `$1,234.56`.
pub fn money(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}.{frac:02}", if cents < 0 { "-" } else { "" })
}

/// `$12.34` or `$12.34-$56.78` (minimum to maximum).
pub fn range((min, max): (f64, f64)) -> String {
    if money(min) == money(max) {
        money(min)
    } else {
        format!("{}-{}", money(min), money(max))
    }
}

/// One line about a group's total: `$61.45-$69.04 a month + 2 items with no price known`, or
/// `no prices known for eu-west-1 (the table has us-east-1)`.
pub fn summary(g: &Group) -> String {
    if !g.has_prices() {
        return format!("no prices known for {} (the table has {})", g.region, super::regions().join(", "));
    }
    format!("{} a month{}", range(g.total()), unpriced(g.unpriced(), " + "))
}

/// `n` items with no price known, after `sep` (`" + 2 items with no price known"`); nothing for 0.
pub fn unpriced(n: usize, sep: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!("{sep}1 item with no price known"),
        n => format!("{sep}{n} items with no price known"),
    }
}

/// How many environments [`brief`] names.
pub const BRIEF_ENVS: usize = 6;

/// The estimate in `pf build`'s summary line, over the programs built: `monthly estimate
/// $83.12-$120.40 (test $20.15-$30.40, prod $62.97-$90.00; 2 items with no price known; usage
/// apart: pf cost)`. The total adds every environment and pipeline stack with prices known; an
/// environment in a region the table does not price shows `prod: no prices for eu-west-1`. The
/// first [`BRIEF_ENVS`] environments are named, then `and N more`.
pub fn brief(estimates: &[Estimate]) -> String {
    let groups = || estimates.iter().flat_map(|e| e.envs.iter().chain(&e.pipelines));
    let priced = groups().filter(|g| g.has_prices()).map(Group::total);
    let total = priced.fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let unknown: usize = groups().filter(|g| g.has_prices()).map(Group::unpriced).sum();
    let count = estimates.iter().map(|e| e.envs.len()).sum::<usize>();
    let mut envs: Vec<String> = estimates
        .iter()
        .flat_map(|e| &e.envs)
        .take(BRIEF_ENVS)
        .map(|g| match g.has_prices() {
            true => format!("{} {}", g.name, range(g.total())),
            false => format!("{}: no prices for {}", g.name, g.region),
        })
        .collect();
    if count > BRIEF_ENVS {
        envs.push(format!("and {} more", count - BRIEF_ENVS));
    }
    let unknown = unpriced(unknown, "; ");
    format!("monthly estimate {} ({}{unknown}; usage apart: pf cost)", range(total), envs.join(", "))
}

/// `pf build`'s summary line for programs of more than [`BUILD_PRICES_APPS`](super::BUILD_PRICES_APPS)
/// apps, which it does not price.
pub fn not_priced(apps: usize) -> String {
    format!(
        "no monthly estimate ({apps} apps: a build prices at most {} apps a program; pf cost prices any)",
        super::BUILD_PRICES_APPS
    )
}

/// `1-2 x $0.0104/hour`, `20 GB-month x no price known`.
fn quantity(l: &Line) -> String {
    let n = |x: f64| if x.fract() == 0.0 { format!("{x}") } else { format!("{x:.1}") };
    let q = if l.quantity.0 == l.quantity.1 {
        n(l.quantity.0)
    } else {
        format!("{}-{}", n(l.quantity.0), n(l.quantity.1))
    };
    match l.unit {
        "GB-month" => format!("{q} GB-month"),
        "vCPU-hour" => format!("{q} vCPU"),
        "GB-hour" => format!("{q} GB"),
        _ => q,
    }
}

fn unit_price(l: &Line) -> String {
    match l.unit_price {
        Some(p) => format!("${p}/{}", l.unit),
        None => "no price known".into(),
    }
}

fn line_cost(l: &Line) -> String {
    l.monthly().map(range).unwrap_or_else(|| "not in total".into())
}

/// For a terminal.
pub fn human(e: &Estimate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Monthly on-demand estimate, each environment in its region, the pipeline in {} (prices of {}; {} hours a month)",
        e.region,
        e.date,
        super::hours()
    );
    for (title, groups) in [("env", &e.envs), ("pipeline stack", &e.pipelines)] {
        for g in groups.iter() {
            let _ = writeln!(out, "\n{title} {} ({}): {}", g.name, g.region, summary(g));
            for l in &g.lines {
                let _ =
                    writeln!(out, "  {:>14}  {}: {} x {}", line_cost(l), l.item, quantity(l), unit_price(l));
            }
            if !g.usage.is_empty() {
                let _ = writeln!(out, "  usage-based, not in the total:");
                for u in &g.usage {
                    let price = u
                        .unit_price
                        .map(|p| format!("${p}/{}", u.unit))
                        .unwrap_or_else(|| "no price known".into());
                    let _ = writeln!(out, "    {} ({price}): {}", u.item, u.assumption);
                }
            }
        }
    }
    let _ = writeln!(out, "\nSource: {}", e.source);
    out
}

/// For a pull-request comment.
pub fn markdown(e: &Estimate) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Monthly on-demand estimate\n");
    let _ = writeln!(out, "| | region | monthly | not priced |\n|---|---|---:|---:|");
    for (title, groups) in [("env", &e.envs), ("pipeline stack", &e.pipelines)] {
        for g in groups.iter() {
            let monthly = if g.has_prices() { range(g.total()) } else { "no prices known".into() };
            let _ = writeln!(out, "| {title} `{}` | {} | {monthly} | {} |", g.name, g.region, g.unpriced());
        }
    }
    for g in e.envs.iter().chain(&e.pipelines) {
        let _ = writeln!(out, "\n<details><summary><code>{}</code>: {}</summary>\n", g.name, summary(g));
        let _ = writeln!(out, "| item | quantity | unit price | monthly |\n|---|---:|---:|---:|");
        for l in &g.lines {
            let _ = writeln!(out, "| {} | {} | {} | {} |", l.item, quantity(l), unit_price(l), line_cost(l));
        }
        if !g.usage.is_empty() {
            let _ = writeln!(out, "\nUsage-based, not in the total:\n");
            for u in &g.usage {
                let price = u
                    .unit_price
                    .map(|p| format!("${p}/{}", u.unit))
                    .unwrap_or_else(|| "no price known".into());
                let _ = writeln!(out, "- {} ({price}): {}", u.item, u.assumption);
            }
        }
        let _ = writeln!(out, "\n</details>");
    }
    let _ = writeln!(out, "\n<sub>Prices of {}. {}</sub>", e.date, e.source);
    out
}

/// Cents, as JSON numbers.
fn cents(x: f64) -> Value {
    json!((x * 100.0).round() / 100.0)
}

/// A group as JSON.
pub fn group_json(g: &Group) -> Value {
    let (min, max) = g.total();
    json!({
        "name": g.name,
        "region": g.region,
        "prices_known": g.has_prices(),
        "monthly": {"min": cents(min), "max": cents(max)},
        "unpriced": g.unpriced(),
        "lines": g.lines.iter().map(|l| json!({
            "stack": l.stack, "item": l.item,
            "quantity": {"min": l.quantity.0, "max": l.quantity.1}, "unit": l.unit,
            "unit_price": l.unit_price,
            "monthly": l.monthly().map(|(a, b)| json!({"min": cents(a), "max": cents(b)})),
        })).collect::<Vec<_>>(),
        "usage": g.usage.iter().map(|u| json!({
            "stack": u.stack, "item": u.item, "unit": u.unit, "unit_price": u.unit_price, "assumption": u.assumption,
        })).collect::<Vec<_>>(),
    })
}

/// Versioned JSON.
pub fn json(e: &Estimate) -> String {
    let doc = json!({
        "version": 1,
        "region": e.region,
        "prices": {"date": e.date, "source": e.source, "hours_per_month": super::hours()},
        "envs": e.envs.iter().map(group_json).collect::<Vec<_>>(),
        "pipelines": e.pipelines.iter().map(group_json).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, region: &str, price: Option<f64>) -> Group {
        let line = Line {
            stack: "s".into(),
            item: "x".into(),
            quantity: (1.0, 2.0),
            unit: "month",
            unit_price: price,
        };
        Group { name: name.into(), region: region.into(), lines: vec![line], usage: vec![] }
    }

    #[test]
    fn the_build_line_totals_the_priced_regions_and_names_the_others() {
        let e = Estimate {
            region: "us-east-1".into(),
            source: String::new(),
            date: String::new(),
            envs: vec![group("test", "us-east-1", Some(10.0)), group("prod", "eu-west-1", Some(100.0))],
            pipelines: vec![group("a/pipeline-p", "us-east-1", None)],
        };
        assert_eq!(
            brief(&[e]),
            "monthly estimate $10.00-$20.00 (test $10.00-$20.00, prod: no prices for eu-west-1; \
             1 item with no price known; usage apart: pf cost)"
        );
    }

    #[test]
    fn money_groups_thousands_and_rounds_to_cents() {
        assert_eq!(money(1234.565), "$1,234.57");
        assert_eq!(money(0.004), "$0.00");
        assert_eq!(money(-12.5), "-$12.50");
        assert_eq!(range((1.0, 1.001)), "$1.00");
        assert_eq!(range((1.0, 2.0)), "$1.00-$2.00");
    }
}
