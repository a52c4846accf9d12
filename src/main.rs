use std::process::ExitCode;

use clap::Parser;
use upwiz::cli::{self, exit, Cli};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first, without the usage block.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            cli::error_line(&format!(
                "{} (see upwiz --help)",
                first.trim_start_matches("error: ")
            ));
            return ExitCode::from(exit::BAD_INPUT as u8);
        }
    };
    let code = match cli.command {
        Some(command) => cli::dispatch(cli.config.as_deref(), &cli.target, command),
        None => match cli::settings(cli.config.as_deref(), &cli.target, None) {
            Ok(settings) => match upwiz::wizard::run(settings) {
                Ok(code) => code,
                Err(e) => {
                    cli::error_line(&format!("{e:#}"));
                    exit::BAD_INPUT
                }
            },
            Err(cli::BadInput(msg)) => {
                cli::error_line(&msg);
                exit::BAD_INPUT
            }
        },
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
