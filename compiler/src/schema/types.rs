//! The types of the schema.

/// The type of a field's value.
#[derive(Debug)]
pub enum Ty {
    /// A string without interpolation of unknown variables.
    Str,
    /// An integer in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// A duration in seconds in `min..=max`.
    Duration {
        min: u64,
        max: u64,
    },
    /// A size in MiB in `min..=max`.
    Size {
        min: u64,
        max: u64,
    },
    /// A whole percentage in `min..=max`.
    Percent {
        min: u32,
        max: u32,
    },
    /// An integer count or a percentage (`2` hosts or `75%`).
    CountOrPercent,
    Cidr,
    /// A list of values of one type.
    List(&'static Ty),
    /// One of the listed names.
    Enum(&'static [&'static str]),
    /// A string, `param("/ssm/name")` or `secret("secret-id")`.
    Text,
    /// A block with free keys, each of the given type (`tags { team = "web" }`).
    Map(&'static Ty),
    /// A nested block, written `name { ... }`.
    Block(&'static Schema),
    /// A block chosen by kind, written `name = kind { ... }` or `name = kind`.
    Variant(&'static [Variant]),
    /// A block that may extend a named declaration: `name = preset { ... }`, `name = preset`
    /// or `name { ... }`.
    Extends(&'static Schema, DeclKind),
    /// A reference to a named thing.
    Ref(RefKind),
    /// `"source" -> "destination"`.
    Pair,
    /// A script path, or a block `{ script = "...", timeout = 5m, runas = "root" }`.
    Hook,
    /// `cpu(60%)`, `requests(1000)` or `none`.
    Scaling,
}

impl Ty {
    /// A short human name of the type, for messages and hover.
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Int { min, max } => format!("integer {min} to {max}"),
            Ty::Bool => "true or false".into(),
            Ty::Duration { .. } => "duration (90s, 5m, 1h, 3d)".into(),
            Ty::Size { .. } => "size (512MB, 20GB)".into(),
            Ty::Percent { min, max } => format!("percentage {min}% to {max}%"),
            Ty::CountOrPercent => "host count or percentage (2, 75%)".into(),
            Ty::Cidr => "CIDR block (10.0.0.0/16)".into(),
            Ty::List(t) => format!("list of {}", t.describe()),
            Ty::Enum(values) => format!("one of {}", values.join(", ")),
            Ty::Text => "string, param(\"/name\") or secret(\"id\")".into(),
            Ty::Map(t) => format!("block of names to {}", t.describe()),
            Ty::Block(_) => "block { ... }".into(),
            Ty::Variant(vs) => format!(
                "one of {}",
                vs.iter().map(|v| format!("{} {{ ... }}", v.kind)).collect::<Vec<_>>().join(", ")
            ),
            Ty::Extends(_, kind) => {
                format!("{} block, optionally extending a `{}` declaration", kind.keyword(), kind.keyword())
            }
            Ty::Ref(kind) => format!("name of {}", kind.describe()),
            Ty::Pair => "\"source\" -> \"destination\"".into(),
            Ty::Hook => "script path, or { script, timeout, runas }".into(),
            Ty::Scaling => "cpu(60%), requests(1000) or none".into(),
        }
    }

    /// A value of this type for a field the user has to fill in (a fix inserts it): the
    /// smallest allowed, an empty string or list, the first name or kind; a block holds its own
    /// required fields. `None` for a reference, which has no neutral value.
    pub fn placeholder(&self) -> Option<String> {
        Some(match self {
            Ty::Str | Ty::Text | Ty::Hook => "\"\"".into(),
            Ty::Int { min, .. } => min.to_string(),
            Ty::Bool => "false".into(),
            Ty::Duration { min, .. } => fmt_duration(*min),
            Ty::Size { min, .. } => fmt_size(*min),
            Ty::Percent { min, .. } => format!("{min}%"),
            Ty::CountOrPercent => "1".into(),
            Ty::Cidr => "10.0.0.0/16".into(),
            Ty::List(_) => "[]".into(),
            Ty::Enum(values) => values.first()?.to_string(),
            Ty::Map(_) => "{}".into(),
            Ty::Block(s) | Ty::Extends(s, _) => s.placeholder()?,
            Ty::Variant(vs) => {
                let v = vs.first()?;
                format!("{} {}", v.kind, v.schema.placeholder()?)
            }
            Ty::Ref(_) => return None,
            Ty::Pair => "\"\" -> \"\"".into(),
            Ty::Scaling => "none".into(),
        })
    }
}

/// The kinds of named declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeclKind {
    Project,
    Use,
    App,
    Build,
    Profile,
    Env,
    Pipeline,
}

impl DeclKind {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Project => "project",
            DeclKind::Use => "use",
            DeclKind::App => "app",
            DeclKind::Build => "build",
            DeclKind::Profile => "profile",
            DeclKind::Env => "env",
            DeclKind::Pipeline => "pipeline",
        }
    }
}

/// What a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    App,
    Env,
    /// An alarm of the same environment.
    Alarm,
}

impl RefKind {
    /// For messages: `an app`.
    pub fn describe(self) -> &'static str {
        match self {
            RefKind::App => "an app",
            RefKind::Env => "an environment",
            RefKind::Alarm => "an alarm of this environment",
        }
    }
}

/// One kind of a [`Ty::Variant`].
#[derive(Debug)]
pub struct Variant {
    pub kind: &'static str,
    pub doc: &'static str,
    pub schema: &'static Schema,
}

/// The contents of a block: its fields and its labelled child blocks.
#[derive(Debug)]
pub struct Schema {
    pub fields: &'static [Field],
    pub children: &'static [Child],
}

impl Schema {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The child block with this keyword.
    pub fn child(&self, keyword: &str) -> Option<&'static Child> {
        self.children.iter().find(|c| c.keyword == keyword)
    }

    /// Every name valid in the block, for did-you-mean and completion.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name).chain(self.children.iter().map(|c| c.keyword))
    }

    /// The block with its required fields set to placeholders: `{ cidr = 10.0.0.0/16 }`, `{}`.
    fn placeholder(&self) -> Option<String> {
        let entries: Option<Vec<String>> =
            self.fields.iter().filter(|f| f.required).map(Field::placeholder_entry).collect();
        let entries = entries?;
        Some(if entries.is_empty() { "{}".into() } else { format!("{{ {} }}", entries.join(", ")) })
    }
}

/// A field: `name = value` (or `name { ... }` for block types).
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default, as pf source text (shown in hover), if any.
    pub default: Option<&'static str>,
    pub doc: &'static str,
    /// The standard library's table of the values a text field takes (offered by completion).
    pub table: Option<&'static crate::stdlib::Table>,
}

impl Field {
    /// The field as an entry with a placeholder value ([`Ty::placeholder`]), as a fix that adds
    /// it writes it: `port = 1`, `network { cidr = 10.0.0.0/16 }`.
    pub fn placeholder_entry(&self) -> Option<String> {
        let value = self.ty.placeholder()?;
        Some(match self.ty {
            Ty::Block(_) | Ty::Map(_) | Ty::Extends(..) => format!("{} {value}", self.name),
            _ => format!("{} = {value}", self.name),
        })
    }
}

/// A duration in seconds as pf writes it, in its largest whole unit: `90s`, `5m`, `7d`.
pub fn fmt_duration(secs: u64) -> String {
    if secs.is_multiple_of(86_400) && secs > 0 {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) && secs > 0 {
        format!("{}h", secs / 3600)
    } else if secs.is_multiple_of(60) && secs > 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// A size in MiB as pf writes it, in its largest whole unit: `512MB`, `20GB`, `1TB`.
pub fn fmt_size(mib: u64) -> String {
    if mib.is_multiple_of(1024 * 1024) && mib > 0 {
        format!("{}TB", mib / (1024 * 1024))
    } else if mib.is_multiple_of(1024) && mib > 0 {
        format!("{}GB", mib / 1024)
    } else {
        format!("{mib}MB")
    }
}

/// Whether a child block takes a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelRule {
    /// `parallel { ... }`
    None,
    /// `stage build { ... }`
    Required,
    /// `build` or `build app { ... }`
    Optional,
}

/// A child block that may appear several times, in order: `stage NAME { ... }`.
#[derive(Debug)]
pub struct Child {
    pub keyword: &'static str,
    pub label: LabelRule,
    /// What the label names (for completion and references), e.g. an environment for `deploy`.
    pub label_ref: Option<RefKind>,
    /// The body's schema; `None` when the label chooses it among `variants`.
    pub schema: &'static Schema,
    /// When set, the label chooses the schema: `trigger push { ... }`.
    pub variants: &'static [Variant],
    pub doc: &'static str,
}

/// A top-level declaration.
#[derive(Debug)]
pub struct Decl {
    pub keyword: &'static str,
    pub kind: DeclKind,
    /// Whether `: parent` is allowed, and of which kinds.
    pub parents: &'static [DeclKind],
    pub schema: &'static Schema,
    pub doc: &'static str,
}
