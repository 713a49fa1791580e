//! Prints the generated field reference of docs/language.md.
fn main() {
    print!("{}", pf_compiler::schema::reference::markdown());
}
