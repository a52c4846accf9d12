//! TLS for the driver, as libpq does it.

use std::sync::Arc;

use crate::db::target::{TlsFiles, TlsMode};
use crate::db::{DbError, DbErrorKind};

/// TLS as libpq does it: `prefer` and `require` encrypt without checking the
/// certificate (unless a CA file is named: then `require` checks the chain, as in
/// libpq); `verify-ca` checks the chain against the named CA (else the system's
/// roots), `verify-full` also that the certificate names the host. A client
/// certificate is offered when one is named.
pub(super) fn tls(
    mode: TlsMode,
    files: &TlsFiles,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, DbError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            DbError::new(
                DbErrorKind::Unsupported,
                format!("TLS is not available: {e}"),
            )
        })?;
    let check_chain = mode.verifies() || (mode == TlsMode::Require && files.ca.is_some());
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = if check_chain {
        let roots = Arc::new(crate::db::tls_files::roots(files.ca.as_deref())?);
        let webpki =
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| {
                    DbError::new(
                        DbErrorKind::BadConnectString,
                        format!("cannot use the CA certificates: {e}"),
                    )
                })?;
        if mode == TlsMode::VerifyFull {
            webpki
        } else {
            Arc::new(crate::db::tls_files::ChainOnly(webpki))
        }
    } else {
        Arc::new(crate::db::tls_files::EncryptOnly(provider))
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match (&files.cert, &files.key) {
        (Some(cert), Some(key)) => {
            let (chain, key) = crate::db::tls_files::identity(cert, key)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                DbError::new(
                    DbErrorKind::BadConnectString,
                    format!("cannot use the client certificate {}: {e}", cert.display()),
                )
            })?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
