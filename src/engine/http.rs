//! A small HTTP/1.1 GET for post-upgrade status URLs: plain http only, no redirects.
//! Status pages are usually local to the server being upgraded; https URLs get a clear
//! error pointing at a command test (`curl`) instead.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Bodies larger than this are cut; a status page is small.
const MAX_BODY: u64 = 1 << 20;

pub fn get(url: &str, timeout: Duration) -> Result<(u16, String), String> {
    if url.starts_with("https://") {
        return Err("https status URLs are not supported; use a command test such as [\"curl\", \"-fsS\", URL]".into());
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("'{url}' is not an http URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr_text = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = addr_text
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {authority}"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: upwiz/{}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    s.write_all(req.as_bytes())
        .map_err(|e| format!("cannot send request to {authority}: {e}"))?;
    let mut raw = Vec::new();
    s.take(MAX_BODY).read_to_end(&mut raw).map_err(|e| {
        format!(
            "no answer from {authority} within {}s: {e}",
            timeout.as_secs()
        )
    })?;
    let text = String::from_utf8_lossy(&raw);
    let status_line = text.lines().next().unwrap_or_default();
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("{authority} did not answer with HTTP"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((code, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reads_status_and_body_from_a_local_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = c.read(&mut buf);
            c.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 8\r\n\r\nstarting")
                .unwrap();
        });
        let (code, body) = get(
            &format!("http://127.0.0.1:{port}/status"),
            Duration::from_secs(5),
        )
        .unwrap();
        server.join().unwrap();
        assert_eq!(code, 503);
        assert_eq!(body, "starting");
    }

    #[test]
    fn refuses_https_with_advice() {
        let e = get("https://example.invalid/", Duration::from_secs(1)).unwrap_err();
        assert!(e.contains("curl"));
    }
}
