//! The GET behind post-upgrade `url` tests, through ureq: http and https (rustls with
//! ring), redirects, chunked bodies, every resolved address. Certificates are checked
//! against the test's own `ca` file when it names one, else against the system's roots
//! (Mozilla's bundled roots when the system has none).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// Bodies longer than this are cut; a status page is small.
const MAX_BODY: u64 = 1 << 20;
const MAX_REDIRECTS: u32 = 10;

/// The certificates of a PEM file; the loader uses it too, so that what is accepted at
/// load is what runs.
pub fn read_ca(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not a PEM certificate file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(certs)
}

/// True for the URL schemes `get` can fetch: a URL the loader accepts must be one.
pub fn check_url(url: &str) -> Result<(), String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!("url '{url}' must start with http:// or https://"));
    }
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| format!("url '{url}' is not a valid URL: {e}"))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("url '{url}' has no host"));
    }
    // The URL is logged with every attempt; a password in it would be too.
    if uri
        .authority()
        .and_then(|a| a.as_str().rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    {
        return Err(
            "a url test's URL must not hold a password (it is written to the log); test a page that needs a login with a command test".into(),
        );
    }
    Ok(())
}

fn roots(ca: Option<&Path>) -> Result<RootCerts, String> {
    let certs: Vec<CertificateDer<'static>> = match ca {
        Some(path) => read_ca(path)?,
        None => rustls_native_certs::load_native_certs().certs,
    };
    if certs.is_empty() {
        return Ok(RootCerts::WebPki);
    }
    Ok(RootCerts::Specific(Arc::new(
        certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect(),
    )))
}

/// GETs `url`, following redirects; `timeout` bounds the whole exchange. Returns the
/// final status and the body (lossy UTF-8, cut at 1 MiB); Err is one plain sentence.
pub fn get(url: &str, timeout: Duration, ca: Option<&Path>) -> Result<(u16, String), String> {
    check_url(url)?;
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots(ca)?)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(MAX_REDIRECTS)
        .timeout_global(Some(timeout))
        .user_agent(format!("upwiz/{}", env!("CARGO_PKG_VERSION")))
        .tls_config(tls)
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| explain(&e, timeout))?;
    let code = response.status().as_u16();
    let mut raw = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(MAX_BODY)
        .read_to_end(&mut raw)
        .map_err(|e| format!("the body could not be read: {e}"))?;
    Ok((code, String::from_utf8_lossy(&raw).into_owned()))
}

/// One sentence for the operator, with what to do where there is something to do.
fn explain(e: &ureq::Error, timeout: Duration) -> String {
    if let Some(tls) = rustls_error(e) {
        return match tls {
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                "the server's certificate is not signed by a trusted certificate authority; \
                 name the authority's certificate with ca = \"path/to/ca.pem\" on the test"
                    .into()
            }
            rustls::Error::InvalidCertificate(c) => {
                format!("the server's certificate was refused ({c:?})")
            }
            other => format!("the TLS handshake failed: {other}"),
        };
    }
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {}s", timeout.as_secs()),
        ureq::Error::HostNotFound => "the host name cannot be resolved".into(),
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        ureq::Error::Io(io) => format!("cannot connect: {io}"),
        other => other.to_string(),
    }
}

fn rustls_error(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(r) => Some(r),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_can_run() {
        assert!(check_url("http://127.0.0.1:8080/status").is_ok());
        assert!(check_url("https://app.example/portal/status.aspx").is_ok());
        let e = check_url("ftp://host/status").unwrap_err();
        assert!(e.contains("must start with http:// or https://"), "{e}");
        assert!(check_url("https:///status").is_err());
        assert!(check_url("HTTPS://app.example/").is_ok());
        let e = check_url("https://admin:secret@app.example/status").unwrap_err();
        assert!(
            e.contains("must not hold a password") && !e.contains("secret"),
            "{e}"
        );
        assert!(check_url("https://monitor@app.example/status").is_ok());
        let e = check_url("http://host name/").unwrap_err();
        assert!(e.contains("is not a valid URL"), "{e}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let e = read_ca(&path).unwrap_err();
        assert!(e.contains("ca.pem holds no PEM certificate"), "{e}");
        let e = read_ca(&dir.path().join("missing.pem")).unwrap_err();
        assert!(
            e.contains("cannot read") && e.contains("missing.pem"),
            "{e}"
        );
    }
}
