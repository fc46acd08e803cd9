//! Connections: accepting them under a cap, and serving each on its own
//! task with hyper, every read and write under a timeout, so that no client
//! can block another or stop the server.
//!
//! An accept error (out of file descriptors, say) is logged once per run of
//! errors and retried after a short pause; it never ends the server.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_io_timeout::TimeoutStream;

use super::{Limits, Log};

/// Pause after an accept error before trying again: long enough not to
/// spin while descriptors are short, short enough to be unnoticed.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Accepts connections until `stop` is notified, serving each on a task of
/// its own while it holds one of `limits.max_connections` permits.
pub(super) async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    log: Log,
    stop: Arc<Notify>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let stopped = stop.notified();
    tokio::pin!(stopped);
    // Accept errors in a row, so a burst of them gives two lines, not one
    // line per pause.
    let mut failures = 0u64;
    loop {
        // At the cap, wait here: further clients stay in the backlog.
        let permit = tokio::select! {
            () = &mut stopped => return,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return, // never closed
            },
        };
        let accepted = tokio::select! {
            () = &mut stopped => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                if failures > 0 {
                    log.line(format!("accepting again after {failures} failed accepts"));
                    failures = 0;
                }
                // Each request knows its client (rate limits, consent records).
                let app = app.clone().layer(axum::Extension(super::ClientAddr(peer)));
                tokio::spawn(serve_connection(stream, app, limits, permit));
            }
            Err(e) => {
                if failures == 0 {
                    log.line(format!(
                        "accept failed: {e}; retrying every {} ms",
                        ACCEPT_PAUSE.as_millis()
                    ));
                }
                failures += 1;
                drop(permit);
                tokio::select! {
                    () = &mut stopped => return,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => {}
                }
            }
        }
    }
}

/// Serves one connection (HTTP/1.1, keep-alive, pipelining) until the
/// client closes it or a limit cuts it. Its errors are the client's
/// business: a cut connection is not news for the log.
async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    _permit: OwnedSemaphorePermit,
) {
    // Small answers go out at once rather than after the next ACK.
    let _ = stream.set_nodelay(true);
    let mut stream = TimeoutStream::new(stream);
    stream.set_read_timeout(Some(limits.idle_timeout));
    stream.set_write_timeout(Some(limits.idle_timeout));
    let io = TokioIo::new(Box::pin(stream));
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // A client may shut its side after the request and still read.
        .half_close(true)
        // `Content-Type`, not `content-type`: as the server always wrote them,
        // for readers that compare names by case.
        .title_case_headers(true)
        .max_buf_size(limits.read_buffer())
        .serve_connection(io, TowerToHyperService::new(app))
        .await;
}
