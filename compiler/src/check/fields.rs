//! The fields of a checked block, by name.
//!
//! A block has a handful of fields (rarely more than ten), looked up by name many times while
//! lowering: a vector sorted by name, searched comparing lengths first, costs a fraction of a
//! `BTreeMap<&str, _>`, whose every step called `memcmp` (about 60 calls per environment of a
//! large program). Iteration is in name order, as the map's was.

use super::value::Field;
use std::cmp::Ordering;

/// Fields by name, in name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields {
    entries: Vec<(&'static str, Field)>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.entries.iter().find(|(k, _)| k.len() == name.len() && *k == name).map(|(_, f)| f)
    }

    /// Whether a field is named `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets the field `name`, replacing the one of that name, if any.
    pub fn insert(&mut self, name: &'static str, field: Field) {
        match self.entries.binary_search_by(|(k, _)| (*k).cmp(name)) {
            Ok(i) => self.entries[i].1 = field,
            Err(i) => self.entries.insert(i, (name, field)),
        }
    }

    /// The fields of `base` and `over` in name order (one pass over both): a name set in both
    /// takes `both(base's, over's)`, a name set in one its field.
    pub fn union(base: &Fields, over: &Fields, both: impl Fn(&Field, &Field) -> Field) -> Fields {
        let (b, o) = (&base.entries, &over.entries);
        let mut entries = Vec::with_capacity(b.len() + o.len());
        let (mut i, mut j) = (0, 0);
        while i < b.len() && j < o.len() {
            match b[i].0.cmp(o[j].0) {
                Ordering::Less => {
                    entries.push(b[i].clone());
                    i += 1;
                }
                Ordering::Greater => {
                    entries.push(o[j].clone());
                    j += 1;
                }
                Ordering::Equal => {
                    entries.push((o[j].0, both(&b[i].1, &o[j].1)));
                    i += 1;
                    j += 1;
                }
            }
        }
        entries.extend_from_slice(&b[i..]);
        entries.extend_from_slice(&o[j..]);
        Fields { entries }
    }

    /// The fields in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Field)> {
        self.entries.iter().map(|(k, f)| (*k, f))
    }

    /// The fields' values in name order, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Field> {
        self.entries.iter_mut().map(|(_, f)| f)
    }

    /// The fields' values in name order.
    pub fn values(&self) -> impl Iterator<Item = &Field> {
        self.entries.iter().map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::value::{Item, Val};
    use crate::source::{FileId, Span};

    fn field(n: i64) -> Field {
        let span = Span::new(FileId(0), 0, 0);
        Field { key_span: span, value: Item { val: Val::Int(n), span } }
    }

    #[test]
    fn fields_keep_name_order_and_replace_by_name() {
        let mut f = Fields::new();
        for (i, name) in ["min", "max", "instance", "desired", "ab", "a"].into_iter().enumerate() {
            f.insert(name, field(i as i64));
        }
        f.insert("max", field(9));
        let names: Vec<&str> = f.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["a", "ab", "desired", "instance", "max", "min"]);
        assert_eq!(f.get("max"), Some(&field(9)));
        assert_eq!(f.get("mi"), None);
        assert!(f.contains_key("a") && !f.contains_key("b"));
        assert_eq!(f.values().count(), 6);
    }

    #[test]
    fn a_union_takes_both_sides_in_name_order() {
        let (mut base, mut over) = (Fields::new(), Fields::new());
        for (name, n) in [("a", 1), ("c", 3), ("e", 5)] {
            base.insert(name, field(n));
        }
        for (name, n) in [("b", 20), ("c", 30), ("f", 60)] {
            over.insert(name, field(n));
        }
        let sum = |b: &Field, o: &Field| match (&b.value.val, &o.value.val) {
            (Val::Int(x), Val::Int(y)) => field(x + y),
            _ => o.clone(),
        };
        let u = Fields::union(&base, &over, sum);
        let got: Vec<(&str, Field)> = u.iter().map(|(k, f)| (k, f.clone())).collect();
        let want = [("a", 1), ("b", 20), ("c", 33), ("e", 5), ("f", 60)].map(|(k, n)| (k, field(n)));
        assert_eq!(got, want);
    }
}
