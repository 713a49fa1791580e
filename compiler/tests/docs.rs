//! Documentation that must stay true.

use pf_compiler::schema::reference::markdown;

#[test]
fn language_reference_matches_the_schema() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/language.md")).unwrap();
    let start =
        doc.find("<!-- reference:start -->\n").expect("start marker") + "<!-- reference:start -->\n".len();
    let end = doc.find("<!-- reference:end -->").expect("end marker");
    assert!(
        doc[start..end] == markdown(),
        "docs/language.md's field reference is stale: regenerate it with `cargo run -p pf-compiler --example schema_reference`"
    );
}
