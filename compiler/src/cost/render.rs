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

/// One line about a group's total: `$61.45-$69.04 a month (2 items with no price known)`.
pub fn summary(g: &Group) -> String {
    let unpriced = match g.unpriced() {
        0 => String::new(),
        1 => " + 1 item with no price known".into(),
        n => format!(" + {n} items with no price known"),
    };
    format!("{} a month{unpriced}", range(g.total()))
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
        "Monthly on-demand estimate, {} (prices of {}; {} hours a month)",
        e.region,
        e.date,
        super::hours()
    );
    for (title, groups) in [("env", &e.envs), ("pipeline stack", &e.pipelines)] {
        for g in groups.iter() {
            let _ = writeln!(out, "\n{title} {}: {}", g.name, summary(g));
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
    let _ = writeln!(out, "### Monthly on-demand estimate ({})\n", e.region);
    let _ = writeln!(out, "| | monthly | not priced |\n|---|---:|---:|");
    for (title, groups) in [("env", &e.envs), ("pipeline stack", &e.pipelines)] {
        for g in groups.iter() {
            let _ = writeln!(out, "| {title} `{}` | {} | {} |", g.name, range(g.total()), g.unpriced());
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

    #[test]
    fn money_groups_thousands_and_rounds_to_cents() {
        assert_eq!(money(1234.565), "$1,234.57");
        assert_eq!(money(0.004), "$0.00");
        assert_eq!(money(-12.5), "-$12.50");
        assert_eq!(range((1.0, 1.001)), "$1.00");
        assert_eq!(range((1.0, 2.0)), "$1.00-$2.00");
    }
}
