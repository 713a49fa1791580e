//! Inheritance: field-by-field merge of checked blocks.
//!
//! The rules: a field written in the child replaces the parent's; nested blocks merge field by
//! field (unless the child picks another kind, e.g. `mysql` over `postgres`); lists replace;
//! labelled child blocks (alarms, reports) merge by label, new ones are appended, and one that
//! says `remove = true` removes the inherited block of its label.

use super::fields::Fields;
use super::value::{Field, Item, Obj, Val};
use std::sync::Arc;

/// `over` on top of `base`.
pub fn merge(base: &Obj, over: &Obj) -> Obj {
    let mut out = Obj {
        kind: over.kind.clone().or_else(|| base.kind.clone()),
        fields: Fields::union(&base.fields, &over.fields, field),
        children: base.children.clone(),
        span: over.span,
        meant: base.meant.clone(),
        broken: base.broken || over.broken,
    };
    out.meant.extend(over.meant.iter().copied());
    for child in &over.children {
        let same = |c: &&mut super::value::ChildNode| {
            c.keyword == child.keyword
                && c.label.as_ref().map(|l| &l.name) == child.label.as_ref().map(|l| &l.name)
        };
        let removes = matches!(child.obj.get("remove").map(|i| &i.val), Some(Val::Bool(true)));
        match out.children.iter_mut().position(|c| same(&c)) {
            // `report unit { remove = true }` drops the inherited entry (PF2065 if there is none).
            Some(i) if removes => {
                out.children.remove(i);
            }
            Some(i) => {
                let existing = &mut out.children[i];
                existing.obj = merge(&existing.obj, &child.obj);
                existing.span = child.span;
                existing.label = child.label.clone();
            }
            None => out.children.push(child.clone()),
        }
    }
    out
}

/// A field set in both: `over`'s, or, for two blocks of the same kind (or a block that names no
/// kind) and for two maps, the two merged.
fn field(base: &Field, over: &Field) -> Field {
    let val = match (&base.value.val, &over.value.val) {
        (Val::Obj(b), Val::Obj(o))
            if o.kind.is_none() || o.kind.as_ref().map(|k| &k.name) == b.kind.as_ref().map(|k| &k.name) =>
        {
            Val::Obj(Arc::new(merge(b, o)))
        }
        (Val::Map(b), Val::Map(o)) => {
            let mut m = b.clone();
            m.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
            Val::Map(m)
        }
        _ => return over.clone(),
    };
    Field { key_span: over.key_span, value: Item { val, span: over.value.span } }
}
