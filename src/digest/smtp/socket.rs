//! The socket under an SMTP connection: TCP with TCP_NODELAY (lettre
//! 0.11.23 leaves Nagle on), wrapped in TLS from the first byte for
//! `smtps` (tokio-rustls, the same roots as lettre's own setup).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::{SmtpError, SmtpSettings};

/// TCP (TCP_NODELAY on) to the server, then TLS when `tls` is given
/// (`smtps`); what lettre speaks SMTP over.
pub(super) async fn open(
    s: &SmtpSettings,
    tls: Option<&tokio_rustls::TlsConnector>,
) -> Result<Box<dyn AsyncTokioStream>, SmtpError> {
    let tcp = tokio::time::timeout(s.timeout, TcpStream::connect((s.host.as_str(), s.port)))
        .await
        .map_err(|_| s.unreachable(s.late()))?
        .map_err(|e| s.unreachable(e.to_string()))?;
    // Without it each message waits for the server's delayed ACK.
    tcp.set_nodelay(true)
        .map_err(|e| s.unreachable(format!("cannot set TCP_NODELAY: {e}")))?;
    Ok(match tls {
        Some(connector) => {
            let name = rustls::pki_types::ServerName::try_from(s.host.clone())
                .map_err(|e| s.session(format!("`{}` is not a TLS server name: {e}", s.host)))?;
            let tls = tokio::time::timeout(s.timeout, connector.connect(name, tcp))
                .await
                .map_err(|_| s.unreachable(s.late()))?
                .map_err(|e| s.session(format!("TLS handshake failed: {e}")))?;
            Box::new(TlsSocket(tls))
        }
        None => Box::new(tcp),
    })
}

/// The same roots as lettre's own rustls setup (webpki-roots, ring), and
/// the CAs of `smtp_ca_file`.
pub(super) fn tls_connector(s: &SmtpSettings) -> Result<tokio_rustls::TlsConnector, String> {
    let mut roots =
        rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in &s.ca_roots {
        roots
            .add(cert.clone())
            .map_err(|e| format!("digest.smtp_ca_file: a certificate cannot be a root: {e}"))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup failed: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// A TLS stream lettre accepts as its transport: `connect_with_transport`
/// takes any `AsyncTokioStream`, so implicit TLS keeps our NODELAY socket
/// (`connect_tokio1` would open its own, with Nagle on).
#[derive(Debug)]
struct TlsSocket(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for TlsSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}
