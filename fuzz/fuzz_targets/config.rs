//! Any config file, UTF-8 or not, parses into settings or fails with an error naming
//! the file: never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("config.toml");
    if let Err(e) = upwiz::config::parse(path, data) {
        let msg = e.to_string();
        assert!(msg.starts_with("config.toml"), "{msg}");
    }
});
