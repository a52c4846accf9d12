//! A status-page server on 127.0.0.1 for the post-upgrade HTTP tests: plain or TLS with a
//! certificate authority made for the test, answering each request with what the test's
//! closure returns for the request's number and path.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority of the test's own and a server certificate it signed for
/// 127.0.0.1 and localhost.
pub struct TestCa {
    /// The authority's certificate, PEM, for a `ca` file.
    pub pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
        TestCa {
            pem: ca.pem(),
            server: Arc::new(server),
        }
    }
}

pub struct StatusServer {
    pub port: u16,
    requests: Arc<AtomicUsize>,
}

/// What one request gets: the raw HTTP response bytes.
pub type Respond = dyn Fn(usize, &str) -> Vec<u8> + Send + Sync;

impl StatusServer {
    /// Serves until the test process ends; `respond(n, path)` answers the n-th request
    /// (from 0).
    pub fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        respond: impl Fn(usize, &str) -> Vec<u8> + Send + Sync + 'static,
    ) -> StatusServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let respond: Arc<Respond> = Arc::new(respond);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (tls, counter, respond) = (tls.clone(), counter.clone(), respond.clone());
                std::thread::spawn(move || serve(stream, tls, &counter, respond.as_ref()));
            }
        });
        StatusServer { port, requests }
    }

    /// Requests answered so far (a failed TLS handshake is not one).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(
    tcp: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    counter: &AtomicUsize,
    respond: &Respond,
) {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok();
    match tls {
        Some(config) => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut s = rustls::StreamOwned::new(conn, tcp);
            exchange(&mut s, counter, respond);
            s.conn.send_close_notify();
            let _ = s.flush();
        }
        None => {
            let mut s = tcp;
            exchange(&mut s, counter, respond);
        }
    }
}

fn exchange(s: &mut (impl Read + Write), counter: &AtomicUsize, respond: &Respond) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let n = counter.fetch_add(1, Ordering::SeqCst);
    let _ = s.write_all(&respond(n, &path));
    let _ = s.flush();
}

/// A complete response with a Content-Length.
pub fn response(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A 200 whose body comes in chunks (Transfer-Encoding: chunked), one per part.
pub fn chunked(parts: &[&str]) -> Vec<u8> {
    let mut out = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for p in parts {
        out.push_str(&format!("{:x}\r\n{p}\r\n", p.len()));
    }
    out.push_str("0\r\n\r\n");
    out.into_bytes()
}

pub fn redirect(location: &str) -> Vec<u8> {
    format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .into_bytes()
}
