//! Generates large, valid programs for benchmarks and scale tests: `apps` apps, each with
//! `envs` environments (an inheritance chain: each extends the previous one, the first a
//! profile) and a pipeline deploying all of them, the last behind an approval.

use std::fmt::Write;

/// A small deterministic random generator (64-bit LCG) for mutation and fuzz-style tests.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31-bit value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of syntax, valid and not, that mutation tests insert.
pub const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "=",
    ",",
    "\n",
    "\r\n",
    "\r",
    "#",
    "# c",
    " ",
    "\t",
    "\u{FEFF}",
    " -> ",
    "->",
    "${",
    "${a.b}",
    "}",
    "\\",
    "\\n",
    "\\q",
    "\\$",
    ":",
    ".",
    "-",
    "-1",
    "_x",
    "x-y",
    "a.b",
    "true",
    "false",
    "truex",
    "env x : y {",
    "stage s { deploy prod }",
    "approve a { distinct = true }",
    "10.0.0.0/8",
    "300.0.0.0/8",
    "1.2.3.4/33",
    "1.2.3",
    "99999999999999999999",
    "9223372036854775808",
    "3d",
    "3dx",
    "20GB",
    "20gb",
    "99999999999999GB",
    "60%",
    "99999999999%",
    "5s",
    "5m",
    "1h",
    "7",
    "0",
    "secret(\"x\")",
    "f()",
    "f(1,)",
    "f(1, 2)",
    "x { }",
    "{}",
    "[]",
    "[,]",
    "[a,]",
    "[a -> b]",
    "\"a\" -> \"b\"",
    "é",
    "€",
];

/// `text` after one to three random edits (bytes, possibly not UTF-8): a deletion of up to 11
/// bytes, an insertion of one of [`FRAGMENTS`], or a copy of up to 39 bytes elsewhere.
pub fn mutate(rng: &mut Lcg, text: &str) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 => {
                let end = (at + rng.below(12)).min(out.len());
                out.drain(at..end);
            }
            1 | 2 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
                out.splice(at..at, f.bytes());
            }
            _ => {
                let end = (at + rng.below(40)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
        }
    }
    out
}

/// Where the debug forms of two trees first differ, with 16 lines of each around that place:
/// the message of a test that requires two parses to be equal.
pub fn first_difference(left: (&str, &dyn std::fmt::Debug), right: (&str, &dyn std::fmt::Debug)) -> String {
    let (a, b) = (format!("{:#?}", left.1), format!("{:#?}", right.1));
    let at = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
    let show = |s: &str| s.lines().skip(at.saturating_sub(8)).take(16).collect::<Vec<_>>().join("\n");
    format!("near line {at}:\n--- {}\n{}\n--- {}\n{}", left.0, show(&a), right.0, show(&b))
}

/// A program of `apps` apps with `envs` environments each (at least 1).
pub fn program(apps: usize, envs: usize) -> String {
    let envs = envs.max(1);
    let mut s = String::from("use std.build.go\nuse std.env.profiles\n\n");
    for a in 0..apps {
        let app = format!("app{a}");
        let _ = write!(
            s,
            "app {app} {{\n  source = codecommit {{ repository = \"{app}\", branch = \"main\" }}\n  \
             build = go {{\n    build = [\"go build -o dist/server ./cmd/server\"]\n    variables {{ TOKEN = secret(\"{app}/token\") }}\n  }}\n  \
             deploy = ec2 {{\n    port = 8080\n    health_check = \"/healthz\"\n    files = [\"dist/server\" -> \"/opt/{app}\"]\n    \
             hooks {{\n      application_start = \"scripts/start.sh\"\n      validate_service  {{ script = \"scripts/health.sh\", timeout = 2m }}\n    }}\n  }}\n}}\n\n"
        );
        for e in 0..envs {
            let parent = if e == 0 { "cost_optimized".to_string() } else { format!("{app}-e{}", e - 1) };
            // Distinct /16 networks while they last, then /24s further apart.
            let n = a * envs + e;
            let cidr = format!("10.{}.{}.0/24", n / 256, n % 256);
            let _ = write!(
                s,
                "env {app}-e{e} : {parent} {{\n  network {{ cidr = {cidr}, azs = 2 }}\n  compute {{ instance = \"t3.small\", min = 1, max = {} }}\n  tags {{ env = \"e{e}\" }}\n}}\n\n",
                e + 2
            );
        }
        let _ = writeln!(s, "pipeline {app} {{\n  stage build {{ build }}");
        for e in 0..envs {
            if e + 1 == envs {
                let _ = writeln!(s, "  stage approve {{ approve release {{ notify = [\"owner@example.com\"], timeout = 3d }} }}");
            }
            let _ = writeln!(s, "  stage e{e} {{ deploy {app}-e{e} }}");
        }
        s.push_str("}\n\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::driver::{analyze, NoFiles, Root};

    #[test]
    fn generated_programs_check_cleanly() {
        let text = super::program(3, 3);
        let a = analyze(vec![Root { name: "gen.pf".into(), bytes: text.into_bytes() }], &NoFiles);
        let errors: Vec<_> = a.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(a.checked.program.apps.len(), 3);
        assert_eq!(a.checked.program.envs.len(), 9);
    }
}
