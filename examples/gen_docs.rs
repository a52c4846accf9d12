//! Writes the man pages and the shell completions of the real command line into a
//! directory, for the Debian package: `cargo run --example gen_docs -- target/assets`
//! gives `man/upwiz.1` (and `man/upwiz-<command>.1` for each command) and
//! `completions/{upwiz.bash,_upwiz,upwiz.fish}`.
//! An example rather than part of the binary, so clap_mangen and clap_complete stay
//! out of what an operator installs.

use std::fs;
use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

fn main() -> anyhow::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(Into::into)
        .context("usage: gen_docs OUT_DIR")?;
    let man = out.join("man");
    let completions = out.join("completions");
    for dir in [&man, &completions] {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }

    let cmd = upwiz::cli::Cli::command();
    clap_mangen::generate_to(cmd.clone(), &man)
        .with_context(|| format!("cannot write the man pages into {}", man.display()))?;
    println!("{}", man.join("upwiz.1").display());

    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut cmd.clone(), "upwiz", &completions)
            .with_context(|| format!("cannot write the {shell} completions"))?;
        println!("{}", path.display());
    }
    Ok(())
}
