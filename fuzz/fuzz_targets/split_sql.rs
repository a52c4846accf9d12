//! Any script, in every dialect, splits into statements or into a SplitError: never a
//! panic. A statement is always a piece of the script as written, since the server must
//! receive the vendor's exact text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upwiz::rdbms::Rdbms;

fuzz_target!(|data: &[u8]| {
    // Scripts that are not UTF-8 are refused before they are split.
    let Ok(script) = std::str::from_utf8(data) else {
        return;
    };
    for rdbms in Rdbms::ALL {
        if let Ok(statements) = upwiz::sql::split(rdbms, script) {
            for s in &statements {
                assert!(
                    script.contains(s.sql.as_str()),
                    "{rdbms:?}: {s:?} is not in the script"
                );
                assert!(s.line >= 1, "{rdbms:?}: {s:?} starts before line 1");
            }
        }
    }
});
