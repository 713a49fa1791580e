//! Fuzz target: `pf_compiler::oracle::formatter` on every input.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pf_compiler::oracle::formatter(data));
