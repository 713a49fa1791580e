//! [`json!`](crate::codegen::json::json): `serde_json::json!` that moves the values it is given.
//!
//! `serde_json::json!` turns every interpolated expression into a `Value` with
//! `to_value(&expr)`, so a `Value` or `Vec<Value>` put into a template (a resource's properties,
//! a policy's statements, a stage's actions) was copied node by node through serde and the
//! original dropped: 30% of the instructions of `pf build` of 1,000 apps. This macro has the
//! same syntax and builds the same values (objects keep their keys in the order written), but
//! moves what is already JSON (`Value`, `Vec<Value>`, `Map`, `Option<Value>`) and serialises
//! only the rest (strings, numbers, lists of strings).

use serde::Serialize;
use serde_json::{Map, Value};

/// An interpolated expression, wrapped so that method resolution picks [`ByMove`] for JSON
/// values and [`BySerialize`] (through a reference) for anything else.
pub struct Wrap<T>(pub T);

/// Moves a value that is JSON already.
pub trait ByMove {
    /// The value, moved.
    fn into_json(self) -> Value;
}

impl ByMove for Wrap<Value> {
    fn into_json(self) -> Value {
        self.0
    }
}

impl ByMove for Wrap<Vec<Value>> {
    fn into_json(self) -> Value {
        Value::Array(self.0)
    }
}

impl ByMove for Wrap<Map<String, Value>> {
    fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}

impl ByMove for Wrap<Option<Value>> {
    fn into_json(self) -> Value {
        self.0.unwrap_or(Value::Null)
    }
}

/// Serialises anything else, as `serde_json::json!` does.
pub trait BySerialize {
    /// The value, serialised.
    fn into_json(self) -> Value;
}

impl<T: Serialize> BySerialize for &Wrap<T> {
    fn into_json(self) -> Value {
        // What pf interpolates (strings, numbers, booleans, lists and options of them) always
        // serialises; only maps with keys that are not strings could fail.
        serde_json::to_value(&self.0).unwrap_or(Value::Null)
    }
}

/// Builds a `serde_json::Value` from JSON syntax, as `serde_json::json!` does, moving
/// interpolated JSON values instead of copying them. Keys are string literals or single tokens
/// (`(expr)`, a variable).
macro_rules! json {
    // Array elements, one at a time, into `[done...]`.
    (@array [$($done:expr,)*]) => { vec![$($done,)*] };
    (@array [$($done:expr,)*] null $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@array [$($done,)* ::serde_json::Value::Null,] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] [$($a:tt)*] $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@array [$($done,)* $crate::codegen::json::json!([$($a)*]),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] {$($o:tt)*} $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@array [$($done,)* $crate::codegen::json::json!({$($o)*}),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] $e:expr $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@array [$($done,)* $crate::codegen::json::json!(@value $e),] $($($rest)*)?)
    };
    // Object members, one at a time, into `[(key, value)...]` (built at once: the map is
    // allocated at its size, not grown member by member).
    (@object [$($done:expr,)*]) => { [$($done,)*] };
    (@object [$($done:expr,)*] $k:tt : null $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@object [$($done,)* ($crate::codegen::json::json!(@key $k), ::serde_json::Value::Null),] $($($rest)*)?)
    };
    (@object [$($done:expr,)*] $k:tt : [$($a:tt)*] $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@object [$($done,)* ($crate::codegen::json::json!(@key $k), $crate::codegen::json::json!([$($a)*])),] $($($rest)*)?)
    };
    (@object [$($done:expr,)*] $k:tt : {$($o:tt)*} $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@object [$($done,)* ($crate::codegen::json::json!(@key $k), $crate::codegen::json::json!({$($o)*})),] $($($rest)*)?)
    };
    (@object [$($done:expr,)*] $k:tt : $e:expr $(, $($rest:tt)*)?) => {
        $crate::codegen::json::json!(@object [$($done,)* ($crate::codegen::json::json!(@key $k), $crate::codegen::json::json!(@value $e)),] $($($rest)*)?)
    };
    (@key $k:tt) => { ::std::convert::Into::<String>::into($k) };
    // An interpolated expression: moved when it is JSON already, else serialised.
    (@value $e:expr) => {{
        #[allow(unused_imports)]
        use $crate::codegen::json::{ByMove as _, BySerialize as _};
        $crate::codegen::json::Wrap($e).into_json()
    }};
    (null) => { ::serde_json::Value::Null };
    ([$($a:tt)*]) => { ::serde_json::Value::Array($crate::codegen::json::json!(@array [] $($a)*)) };
    ({$($o:tt)*}) => {
        ::serde_json::Value::Object(::serde_json::Map::from_iter($crate::codegen::json::json!(@object [] $($o)*)))
    };
    ($e:expr) => { $crate::codegen::json::json!(@value $e) };
}
pub(crate) use json;

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    #[test]
    fn builds_what_serde_json_builds() {
        let name = String::from("web");
        let n = 3u32;
        let tags = vec!["a", "b"];
        let maybe: Option<&str> = None;
        // The same literal through both macros: serde_json's borrows, then ours moves (`name`
        // and `tags` are not used after).
        macro_rules! both {
            ($($t:tt)*) => { (serde_json::json!($($t)*), json!($($t)*)) };
        }
        let (theirs, ours) = both!({
            "Type": "AWS::S3::Bucket",
            "Name": name,
            "Count": n,
            "Neg": -1,
            "Flag": true,
            "Nothing": null,
            "Tags": tags,
            "Maybe": maybe,
            "Nested": { "List": [1, "two", null, [3], { "k": false }], "Empty": {} },
            (format!("Key{n}")): [],
        });
        assert_eq!(ours, theirs);
        // Key order too (serde_json keeps insertion order here).
        assert_eq!(ours.to_string(), theirs.to_string());
    }

    #[test]
    fn moves_json_values_and_serialises_references() {
        let inner = json!({ "b": 1, "a": 2 });
        let list: Vec<Value> = vec![json!("x"), json!({ "y": [] })];
        let mut map = Map::new();
        map.insert("m".into(), json!(1));
        let some: Option<Value> = Some(json!("s"));
        let none: Option<Value> = None;
        let by_ref = &inner;
        let v = json!({
            "Ref": by_ref,
            "Inner": inner,
            "List": list,
            "Map": map,
            "Some": some,
            "None": none,
        });
        assert_eq!(
            v.to_string(),
            r#"{"Ref":{"b":1,"a":2},"Inner":{"b":1,"a":2},"List":["x",{"y":[]}],"Map":{"m":1},"Some":"s","None":null}"#
        );
    }
}
