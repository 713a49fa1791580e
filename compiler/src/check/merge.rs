//! Inheritance: field-by-field merge of checked blocks.
//!
//! The rules: a field written in the child replaces the parent's; nested blocks merge field by
//! field (unless the child picks another kind, e.g. `mysql` over `postgres`); lists replace;
//! labelled child blocks (alarms) merge by label, new ones are appended.

use super::value::{Field, Item, Obj, Val};
use std::sync::Arc;

/// `over` on top of `base`.
pub fn merge(base: &Obj, over: &Obj) -> Obj {
    let mut out = base.clone();
    out.span = over.span;
    if over.kind.is_some() {
        out.kind = over.kind.clone();
    }
    for (name, field) in over.fields.iter() {
        let merged = match (out.fields.get(name), &field.value.val) {
            (Some(Field { value: Item { val: Val::Obj(b), .. }, .. }), Val::Obj(o))
                if o.kind.is_none()
                    || o.kind.as_ref().map(|k| &k.name) == b.kind.as_ref().map(|k| &k.name) =>
            {
                Field {
                    key_span: field.key_span,
                    value: Item { val: Val::Obj(Arc::new(merge(b, o))), span: field.value.span },
                }
            }
            (Some(Field { value: Item { val: Val::Map(b), .. }, .. }), Val::Map(o)) => {
                let mut m = b.clone();
                m.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
                Field { key_span: field.key_span, value: Item { val: Val::Map(m), span: field.value.span } }
            }
            _ => field.clone(),
        };
        out.fields.insert(name, merged);
    }
    out.meant.extend(over.meant.iter().copied());
    for child in &over.children {
        let same = |c: &&mut super::value::ChildNode| {
            c.keyword == child.keyword
                && c.label.as_ref().map(|l| &l.name) == child.label.as_ref().map(|l| &l.name)
        };
        match out.children.iter_mut().find(|c| same(c)) {
            Some(existing) => {
                existing.obj = merge(&existing.obj, &child.obj);
                existing.span = child.span;
                existing.label = child.label.clone();
            }
            None => out.children.push(child.clone()),
        }
    }
    out
}
