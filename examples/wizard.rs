//! Starts the wizard directly: `cargo run --example wizard [-- CONFIG_FILE]`.
//! Handy while developing the wizard on its own.

fn main() -> anyhow::Result<()> {
    let explicit = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let (file, _) = upwiz::config::load(explicit.as_deref())?;
    let settings = upwiz::config::Settings::merge(file, upwiz::config::Overrides::default());
    let code = upwiz::wizard::run(settings)?;
    std::process::exit(code);
}
