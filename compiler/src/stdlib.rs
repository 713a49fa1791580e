//! The standard library, embedded in the binary: `.pf` modules (`use std.build.go`) and the data
//! tables the checker needs (`stdlib/tables/*.txt`, each with its source and date).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Every standard-library module: its `use` path and its source.
pub const MODULES: &[(&str, &str)] = &[
    ("std.build.go", include_str!("../../stdlib/build/go.pf")),
    ("std.build.node", include_str!("../../stdlib/build/node.pf")),
    ("std.build.python", include_str!("../../stdlib/build/python.pf")),
    ("std.build.java", include_str!("../../stdlib/build/java.pf")),
    ("std.build.dotnet", include_str!("../../stdlib/build/dotnet.pf")),
    ("std.build.docker", include_str!("../../stdlib/build/docker.pf")),
    ("std.env.profiles", include_str!("../../stdlib/env/profiles.pf")),
];

/// The build presets of the standard library, by name, and the module that declares each.
pub const BUILD_PRESETS: &[(&str, &str)] = &[
    ("go", "std.build.go"),
    ("node", "std.build.node"),
    ("python", "std.build.python"),
    ("java", "std.build.java"),
    ("dotnet", "std.build.dotnet"),
    ("docker", "std.build.docker"),
];

/// The environment profiles of the standard library, by name, and the module that declares each.
pub const PROFILES: &[(&str, &str)] =
    &[("cost_optimized", "std.env.profiles"), ("highly_available", "std.env.profiles")];

/// The source of a module, by `use` path.
pub fn module(path: &str) -> Option<&'static str> {
    MODULES.iter().find(|(p, _)| *p == path).map(|(_, s)| *s)
}

/// A module's doc comment: the `#` lines at its top, without the `# `.
pub fn doc(path: &str) -> Option<String> {
    let text = module(path)?;
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect();
    Some(lines.join("\n"))
}

/// The file name the diagnostics show for a module: `std/build/go.pf`.
pub fn file_name(path: &str) -> String {
    format!("{}.pf", path.replace('.', "/"))
}

/// Whether a source file's name is a standard-library module's ([`file_name`]).
pub fn is_module_file(name: &str) -> bool {
    MODULES.iter().any(|(m, _)| file_name(m) == name)
}

/// The values of a table's text: its lines, trimmed, without blank lines and `#` lines.
///
/// The line ends come from one SIMD scan (`memchr_iter`), not a search per line: `str::lines`
/// took 0.45M instructions for the 1,430 lines of the instance types, 6% of a one-app build.
fn lines(text: &'static str) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(text.len() / 16);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
        let line = text.get(start..end).unwrap_or_default().trim();
        start = end + 1;
        if !line.is_empty() && !line.starts_with('#') {
            out.push(line);
        }
    }
    out
}

/// A data table of the standard library (`stdlib/tables/*.txt`): the values a text field
/// accepts, one a line, after a header of `#` lines that says what they are and where they come
/// from. The schema links fields to their table ([`crate::schema::Field::table`]), so completion
/// offers them.
#[derive(Debug)]
pub struct Table {
    /// The file name under `stdlib/tables/`.
    pub file: &'static str,
    text: &'static str,
    values: OnceLock<Vec<&'static str>>,
    /// The values as a set, for [`Table::contains`] once it has been asked a few times.
    set: OnceLock<crate::hash::FxHashSet<&'static str>>,
    /// How many times [`Table::contains`] searched the text.
    searches: AtomicU32,
}

/// How many lookups [`Table::contains`] answers by searching a table's text before it builds
/// the set: a search is one SIMD pass over the text (a few thousand instructions), the set
/// 0.4M for the instance types, so a program with a few environments never builds it.
const SEARCHES: u32 = 16;

impl Table {
    const fn new(file: &'static str, text: &'static str) -> Table {
        Table { file, text, values: OnceLock::new(), set: OnceLock::new(), searches: AtomicU32::new(0) }
    }

    /// Whether `value` is in the table: the checker asks once per environment, so the first
    /// [`SEARCHES`] lookups search the text and the later ones a set (constant time).
    pub fn contains(&'static self, value: &str) -> bool {
        if self.set.get().is_none() && self.searches.fetch_add(1, Ordering::Relaxed) < SEARCHES {
            return self.in_text(value);
        }
        self.set
            .get_or_init(|| {
                let values = self.values();
                let mut set = crate::hash::set_with_capacity(values.len());
                set.extend(values.iter().copied());
                set
            })
            .contains(value)
    }

    /// Whether `value` is a whole line of the text, which is what the set holds: the files'
    /// lines carry no spaces around them (a test checks it). A value that a comment, a blank
    /// line or spaces could match is looked up in the values instead.
    fn in_text(&'static self, value: &str) -> bool {
        if value.is_empty() || value.starts_with('#') || value.trim() != value {
            return self.values().contains(&value);
        }
        let (text, n) = (self.text.as_bytes(), value.len());
        memchr::memmem::find_iter(text, value.as_bytes()).any(|i| {
            (i == 0 || text[i - 1] == b'\n') && matches!(text.get(i + n), None | Some(b'\n' | b'\r'))
        })
    }

    /// The values, in the file's order.
    pub fn values(&'static self) -> &'static [&'static str] {
        self.values.get_or_init(|| lines(self.text))
    }

    /// The header: the leading `#` lines, without the `# `, joined into one paragraph per
    /// blank-free run.
    pub fn header(&self) -> String {
        let lines: Vec<&str> = self
            .text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim())
            .collect();
        lines.join(" ")
    }
}

macro_rules! table {
    ($name:ident, $table:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub static $table: Table = Table::new($file, include_str!(concat!("../../stdlib/tables/", $file)));

        #[doc = $doc]
        pub fn $name() -> &'static [&'static str] {
            $table.values()
        }
    };
}

table!(
    instance_types,
    INSTANCE_TYPES,
    "instance_types.txt",
    "EC2 instance types accepted by `compute.instance`."
);
table!(db_classes, DB_CLASSES, "db_classes.txt", "RDS instance classes accepted by `database.class`.");
table!(cache_nodes, CACHE_NODES, "cache_nodes.txt", "ElastiCache node types accepted by `cache.node`.");
table!(codebuild_images, CODEBUILD_IMAGES, "codebuild_images.txt", "CodeBuild curated images pf knows.");
table!(
    lambda_runtimes,
    LAMBDA_RUNTIMES,
    "lambda_runtimes.txt",
    "Lambda runtimes accepted by `deploy = lambda { runtime }`: supported and not deprecated."
);

#[cfg(test)]
mod tests {
    #[test]
    fn every_module_has_a_doc_comment_and_checks_cleanly() {
        use crate::driver::{analyze, NoFiles, Root};
        for (path, _) in super::MODULES {
            let doc = super::doc(path).unwrap_or_default();
            assert!(doc.starts_with(path), "{path}: the doc comment starts with the module's name: {doc:?}");
            let program = format!("use {path}\n");
            let a = analyze(vec![Root { name: "use.pf".into(), bytes: program.into_bytes() }], &NoFiles);
            let found: Vec<String> =
                a.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }

    #[test]
    fn preset_and_profile_lists_match_the_modules() {
        for (list, keyword) in [(super::BUILD_PRESETS, "build"), (super::PROFILES, "profile")] {
            for (name, module) in list {
                let text = super::module(module).unwrap_or_default();
                assert!(
                    text.contains(&format!("\n{keyword} {name} {{")),
                    "{module} declares `{keyword} {name}`"
                );
            }
            // Every declaration of that kind in the standard library is listed.
            for (module, text) in super::MODULES {
                for line in text.lines().filter_map(|l| l.strip_prefix(&format!("{keyword} "))) {
                    let name = line.split_whitespace().next().unwrap_or_default();
                    assert!(list.contains(&(name, *module)), "{module}: `{keyword} {name}` is not listed");
                }
            }
        }
    }

    #[test]
    fn tables_are_loaded() {
        assert!(super::instance_types().contains(&"t3.micro"));
        assert!(super::db_classes().contains(&"db.t4g.micro"));
        assert!(super::cache_nodes().contains(&"cache.t4g.micro"));
        assert!(super::INSTANCE_TYPES.contains("m7g.large") && !super::INSTANCE_TYPES.contains("m7g.larg"));
    }

    /// The one-scan line split reads what `str::lines` read, on every table and on texts with
    /// CRLF ends, no final line end, blank and indented lines.
    #[test]
    fn lines_are_what_str_lines_reads() {
        fn reference(text: &str) -> Vec<&str> {
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
        }
        let tables = [
            &super::INSTANCE_TYPES,
            &super::DB_CLASSES,
            &super::CACHE_NODES,
            &super::CODEBUILD_IMAGES,
            &super::LAMBDA_RUNTIMES,
        ];
        for t in tables {
            assert_eq!(super::lines(t.text), reference(t.text), "{}", t.file);
            assert!(!t.values().is_empty(), "{}", t.file);
        }
        // A search of the text answers what the set answers.
        for t in tables {
            let set: std::collections::HashSet<&str> = t.values().iter().copied().collect();
            for v in t.values() {
                assert!(t.in_text(v), "{v}");
                for probe in
                    [&v[1..], &v[..v.len() - 1], &format!("{v}x"), &format!("x{v}"), &format!(" {v}")]
                {
                    assert_eq!(t.in_text(probe), set.contains(probe), "{}: {probe:?}", t.file);
                }
            }
            for probe in ["", "#", "# EC2", "\n"] {
                assert_eq!(t.in_text(probe), set.contains(probe), "{}: {probe:?}", t.file);
            }
        }
        for text in ["", "\n", "a", "a\n", "# h\na\r\n  b  \n\n#c\nd", "\r\n\r\nx\r\n", " # not a comment\n"]
        {
            assert_eq!(super::lines(text), reference(text), "{text:?}");
        }
    }
}
