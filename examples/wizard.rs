//! Starts the wizard directly, without the CLI: `cargo run --example wizard [-- --config FILE]`.
//! Handy while developing the wizard on its own.

fn main() -> anyhow::Result<()> {
    let args: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    let explicit = match args.as_slice() {
        [flag, file] if flag.as_os_str() == "--config" => Some(file.clone()),
        _ => None,
    };
    let (file, _) = upwiz::config::load(explicit.as_deref())?;
    let settings = upwiz::config::Settings::merge(file, upwiz::config::Overrides::default());
    let code = upwiz::wizard::run(settings)?;
    std::process::exit(code);
}
