//! Fuzz target: `pf_compiler::oracle::parser` on every input.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pf_compiler::oracle::parser(data));
