//! `pf explain`: prints the documentation page of a diagnostic code, or lists every code.

use super::{EXIT_OK, EXIT_USAGE};
use pf_compiler::check::suggest::did_you_mean;
use pf_compiler::diagnostic::codes::{self, Code};

/// Arguments of `pf explain`.
#[derive(clap::Args)]
pub struct Args {
    /// The code to explain, e.g. PF0001 (or its name, e.g. invalid-syntax).
    #[arg(value_name = "CODE", required_unless_present = "list", conflicts_with = "list")]
    code: Option<String>,
    /// List every code with its name, severity and summary.
    #[arg(long)]
    list: bool,
}

/// Runs `pf explain`.
pub fn run(args: Args) -> u8 {
    if args.list {
        print!("{}", list());
        return EXIT_OK;
    }
    let query = args.code.unwrap_or_default();
    match find(&query) {
        Some(code) => {
            print!("{}", page(code));
            EXIT_OK
        }
        None => {
            eprintln!("error: there is no code `{query}`");
            // `PF7` or `PF007` is most likely `PF0007`: the number padded to four digits.
            let padded = query
                .to_ascii_uppercase()
                .strip_prefix("PF")
                .and_then(|n| n.parse::<u16>().ok())
                .map(|n| format!("PF{n:04}"))
                .and_then(|id| codes::ALL.iter().find(|c| c.id == id).map(|c| c.id));
            let ids = codes::ALL.iter().map(|c| c.id).chain(codes::ALL.iter().map(|c| c.name));
            match padded.or_else(|| did_you_mean(&query, ids)) {
                Some(s) => eprintln!("help: did you mean `{s}`?"),
                None => eprintln!("help: `pf explain --list` lists every code"),
            }
            EXIT_USAGE
        }
    }
}

/// The code with this id or name.
fn find(query: &str) -> Option<Code> {
    codes::lookup(query.trim()).or_else(|| codes::ALL.iter().copied().find(|c| c.name == query.trim()))
}

/// The page `pf explain` prints: the code's doc, or its summary if the doc is missing.
fn page(code: Code) -> String {
    let mut out = if code.doc.trim().is_empty() {
        format!("# {}: {}\n\n{}\n", code.id, code.name, code.summary)
    } else {
        code.doc.to_string()
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// One line per code: `PF0001  invalid-syntax        error    A line is not a valid entry`.
fn list() -> String {
    let width = codes::ALL.iter().map(|c| c.name.len()).max().unwrap_or(0);
    codes::ALL
        .iter()
        .map(|c| format!("{}  {:width$}  {:7}  {}\n", c.id, c.name, c.severity.as_str(), c.summary))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_id_and_name() {
        assert_eq!(find("pf0001").map(|c| c.id), Some("PF0001"));
        assert_eq!(find("invalid-cidr").map(|c| c.id), Some("PF0011"));
        assert!(find("PF9999").is_none());
    }

    #[test]
    fn lists_every_code() {
        let list = list();
        assert_eq!(list.lines().count(), codes::ALL.len());
        assert!(list.lines().next().unwrap().starts_with("PF0001  invalid-syntax  "));
    }
}
