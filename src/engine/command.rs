//! A package's program (a preflight check, a violation check, a post-upgrade test): run
//! without a shell, in the package directory, with a time limit, and every line it
//! prints, on stdout or stderr, passed on as it is printed. Vendor tools report their
//! progress that way, and a program that prints a lot never stalls on a full pipe.
//! It runs in a process group of its own without upwiz's secrets in its environment;
//! a timeout or a stop of the run ends the whole group.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Where the lines a program prints go while it runs.
pub trait Output {
    /// One line, without its line break.
    fn line(&mut self, line: &str);
    /// The program has printed nothing for a moment.
    fn quiet(&mut self) {}
}

/// For checks run only for their verdict (the wizard's Plan screen).
pub struct Discard;

impl Output for Discard {
    fn line(&mut self, _line: &str) {}
}

/// How often the program's state is looked at while it prints nothing.
const POLL: Duration = Duration::from_millis(20);
/// Longer lines are passed on in pieces of this size, so memory stays bounded.
const MAX_LINE: usize = 16 * 1024;
/// Once the program has exited: how long to wait for output still on its way, and at
/// most, in case a process it started keeps its pipes open.
const DRAIN_IDLE: Duration = Duration::from_millis(500);
const DRAIN_MAX: Duration = Duration::from_secs(10);
/// How long a program asked to stop may take before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// How much of the end of its output an error message quotes.
const TAIL_CHARS: usize = 300;

/// Runs `argv`; Err carries the exit status and the end of its output (stderr, or stdout
/// when stderr is empty). A relative program path with a `/` is taken from `dir`.
pub fn run(
    argv: &[String],
    dir: &Path,
    timeout: Duration,
    out: &mut dyn Output,
) -> Result<(), String> {
    let program = if argv[0].contains('/') && Path::new(&argv[0]).is_relative() {
        dir.join(&argv[0]).display().to_string()
    } else {
        argv[0].clone()
    };
    let mut command = Command::new(&program);
    // Its own process group: a terminal hang-up must not kill a check the upgrade waits
    // on, and a timeout or a stop can end it with everything it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    for v in crate::db::SECRET_VARS {
        command.env_remove(v);
    }
    let mut child = command
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start '{}': {e}", argv[0]))?;
    let group = super::CancelToken::track_group(child.id());
    let cancel = super::CancelToken::current();
    let (tx, rx) = mpsc::channel();
    if let Some(o) = child.stdout.take() {
        spawn_reader(o, Stream::Out, tx.clone());
    }
    if let Some(e) = child.stderr.take() {
        spawn_reader(e, Stream::Err, tx.clone());
    }
    drop(tx);
    let mut tails = Tails::default();
    let mut deliver = |chunk: Chunk, out: &mut dyn Output| {
        for line in chunk.text.split_terminator('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            tails.push(chunk.stream, line);
            out.line(line);
        }
    };
    let started = Instant::now();
    let mut stopping: Option<Instant> = None;
    let mut open = true;
    let status = loop {
        if open {
            match rx.recv_timeout(POLL) {
                Ok(chunk) => deliver(chunk, out),
                Err(RecvTimeoutError::Timeout) => out.quiet(),
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        } else {
            std::thread::sleep(POLL);
        }
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > timeout {
            group.kill();
            let _ = child.kill();
            let _ = child.wait();
            out.quiet();
            return Err(format!(
                "'{}' did not finish within {}s",
                argv[0],
                timeout.as_secs()
            ));
        }
        // The token asked the group to end; one that ignores that is killed.
        if cancel
            .as_ref()
            .is_some_and(super::CancelToken::is_cancelled)
        {
            let since = *stopping.get_or_insert_with(Instant::now);
            if since.elapsed() > STOP_GRACE {
                group.kill();
                let _ = child.kill();
                let _ = child.wait();
                out.quiet();
                return Err(format!(
                    "'{}' was stopped: upwiz was asked to stop",
                    argv[0]
                ));
            }
        }
    };
    // What it printed last may still be in the pipes.
    let drained = Instant::now();
    while open && drained.elapsed() < DRAIN_MAX {
        match rx.recv_timeout(DRAIN_IDLE) {
            Ok(chunk) => deliver(chunk, out),
            Err(_) => open = false,
        }
    }
    out.quiet();
    if status.success() {
        return Ok(());
    }
    Err(format!(
        "'{}' exited with {status}: {}",
        argv[0],
        tails.end()
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// Whole lines (or a piece of an overlong one), as many as one read brought.
struct Chunk {
    stream: Stream,
    text: String,
}

fn spawn_reader(src: impl Read + Send + 'static, stream: Stream, tx: Sender<Chunk>) {
    // A reader that cannot start leaves that stream unread; the program still ends.
    let _ = std::thread::Builder::new()
        .name("upwiz-output".into())
        .spawn(move || forward(src, stream, &tx));
}

fn forward(mut src: impl Read, stream: Stream, tx: &Sender<Chunk>) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    let send = |bytes: Vec<u8>| {
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        tx.send(Chunk { stream, text }).is_ok()
    };
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        pending.extend_from_slice(&buf[..n]);
        let cut = match pending.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if pending.len() >= MAX_LINE => pending.len(),
            None => continue,
        };
        let rest = pending.split_off(cut);
        if !send(std::mem::replace(&mut pending, rest)) {
            return;
        }
    }
    if !pending.is_empty() {
        send(pending);
    }
}

/// The last lines of each stream, for the error message.
#[derive(Default)]
struct Tails {
    out: VecDeque<String>,
    err: VecDeque<String>,
}

impl Tails {
    fn push(&mut self, stream: Stream, line: &str) {
        let lines = match stream {
            Stream::Out => &mut self.out,
            Stream::Err => &mut self.err,
        };
        if lines.len() == 50 {
            lines.pop_front();
        }
        lines.push_back(last_chars(line, TAIL_CHARS).to_string());
    }

    fn end(&self) -> String {
        let text = |lines: &VecDeque<String>| {
            lines
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut all = text(&self.err);
        if all.trim().is_empty() {
            all = text(&self.out);
        }
        last_chars(all.trim(), TAIL_CHARS).to_string()
    }
}

fn last_chars(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &s[i..],
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Lines(Vec<String>);

    impl Output for Lines {
        fn line(&mut self, line: &str) {
            self.0.push(line.to_string());
        }
    }

    fn sh(script: &str, out: &mut Lines) -> Result<(), String> {
        let argv = ["sh", "-c", script].map(String::from);
        run(&argv, Path::new("."), Duration::from_secs(60), out)
    }

    #[test]
    fn every_line_is_passed_on_in_order_and_a_long_output_does_not_stall() {
        let mut out = Lines::default();
        // Far more than a pipe holds: the program would block if nobody read it.
        sh(
            "i=0; while [ $i -lt 20000 ]; do echo \"line $i\"; i=$((i+1)); done",
            &mut out,
        )
        .unwrap();
        assert_eq!(out.0.len(), 20_000);
        assert_eq!(out.0[0], "line 0");
        assert_eq!(out.0[19_999], "line 19999");
    }

    #[test]
    fn stderr_is_passed_on_and_quoted_when_the_program_fails() {
        let mut out = Lines::default();
        let e = sh("echo working; echo 'license expired' >&2; exit 3", &mut out).unwrap_err();
        assert!(out.0.contains(&"working".to_string()), "{:?}", out.0);
        assert!(
            out.0.contains(&"license expired".to_string()),
            "{:?}",
            out.0
        );
        assert!(e.contains("exited with exit status: 3"), "{e}");
        assert!(e.ends_with("license expired"), "{e}");
    }

    #[test]
    fn stdout_is_quoted_when_stderr_is_empty_and_crlf_and_a_last_unterminated_line_count() {
        let mut out = Lines::default();
        let e = sh("printf 'a\\r\\nb'; exit 1", &mut out).unwrap_err();
        assert_eq!(out.0, ["a", "b"]);
        assert!(e.ends_with("a\nb"), "{e}");
    }

    #[test]
    fn an_overlong_line_comes_in_bounded_pieces() {
        let mut out = Lines::default();
        sh("head -c 100000 /dev/zero | tr '\\0' x; echo", &mut out).unwrap();
        assert_eq!(out.0.iter().map(String::len).sum::<usize>(), 100_000);
        assert!(out.0.iter().all(|l| l.len() <= MAX_LINE + 64 * 1024));
    }

    /// Whether `pid` is gone or a zombie waiting to be reaped.
    fn ended(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn a_timeout_ends_what_the_program_started_too() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild");
        let script = format!("sleep 60 & echo $! > {}; wait", pidfile.display());
        let argv = ["sh".to_string(), "-c".to_string(), script];
        let e = run(
            &argv,
            Path::new("."),
            Duration::from_millis(500),
            &mut Discard,
        )
        .unwrap_err();
        assert!(e.contains("did not finish within"), "{e}");
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !ended(pid.trim()) {
            assert!(
                Instant::now() < deadline,
                "the grandchild outlived the timeout"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn cancelling_the_run_stops_its_program() {
        let token = super::super::CancelToken::new();
        let _entered = token.enter();
        let t = token.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            t.cancel();
        });
        let started = Instant::now();
        let argv = ["sleep", "60"].map(String::from);
        let e = run(
            &argv,
            Path::new("."),
            Duration::from_secs(600),
            &mut Discard,
        )
        .unwrap_err();
        canceller.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10), "{e}");
    }

    #[test]
    fn a_program_that_outlives_its_time_is_stopped() {
        let argv = ["sleep", "30"].map(String::from);
        let e = run(
            &argv,
            Path::new("."),
            Duration::from_millis(200),
            &mut Discard,
        )
        .unwrap_err();
        assert!(e.contains("did not finish within"), "{e}");
    }
}
