//! Engine versions pf can create, per engine (PF5011).
//!
//! Sources (checked 2026-12): Amazon RDS User Guide, "Supported PostgreSQL major versions",
//! "MySQL on Amazon RDS versions" and "MariaDB on Amazon RDS versions" (versions in standard or
//! extended support, which RDS still creates), and Amazon ElastiCache User Guide, "Supported
//! Redis OSS versions". A version is its major version (`16`, `8.0`), optionally with a minor
//! version of that major (`16.4`, `8.0.39`). The table lags AWS when a version is released,
//! so a project may silence PF5011 with a reason.

/// The major versions of each engine, oldest first; the default is the engine's last entry
/// that `lower::env` uses.
pub static ENGINE_VERSIONS: &[(&str, &[&str])] = &[
    ("postgres", &["11", "12", "13", "14", "15", "16", "17", "18"]),
    ("mysql", &["5.7", "8.0", "8.4"]),
    ("mariadb", &["10.5", "10.6", "10.11", "11.4", "11.8"]),
    ("redis", &["4.0", "5.0", "6.0", "6.2", "7.0", "7.1"]),
];

/// The major versions of `engine`.
pub fn majors(engine: &str) -> &'static [&'static str] {
    ENGINE_VERSIONS.iter().find(|(e, _)| *e == engine).map_or(&[], |(_, v)| v)
}

/// Whether `version` is a known version of `engine`: a major version, or one of its minors.
pub fn known(engine: &str, version: &str) -> bool {
    majors(engine).iter().any(|m| {
        version == *m
            || version.strip_prefix(m).and_then(|r| r.strip_prefix('.')).is_some_and(|minor| {
                !minor.is_empty()
                    && minor.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
            || (engine == "redis" && version == format!("{}.x", m.split('.').next().unwrap_or(m)))
    })
}

/// The known major version nearest to `version` (by number), for the fix.
pub fn nearest(engine: &str, version: &str) -> Option<&'static str> {
    let num = |v: &str| -> Option<f64> {
        let mut parts = v.split('.');
        let major: f64 = parts.next()?.parse().ok()?;
        let minor: f64 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0.0);
        Some(major * 1000.0 + minor)
    };
    let want = num(version)?;
    majors(engine).iter().copied().min_by(|a, b| {
        let d = |m: &str| num(m).map_or(f64::MAX, |n| (n - want).abs());
        d(a).total_cmp(&d(b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_known_per_engine() {
        assert!(known("postgres", "16"));
        assert!(known("postgres", "16.4"));
        assert!(!known("postgres", "9.6"));
        assert!(!known("postgres", "16."));
        assert!(known("mysql", "8.0.39"));
        assert!(!known("mysql", "5.6"));
        assert!(known("redis", "7.1"));
        assert!(known("redis", "6.x"));
        assert!(!known("redis", "8.0"));
        assert_eq!(nearest("mysql", "5.6"), Some("5.7"));
        assert_eq!(nearest("redis", "8.0"), Some("7.1"));
        assert_eq!(nearest("postgres", "9.6"), Some("11"));
    }
}
