//! The LAN port's limits, so that nobody on the office network can take the service from the
//! desks and the kiosk by holding connections open: a bound on connections per client address
//! and in all, and time limits on every stage of a connection (set where the server is built,
//! `server.rs`: the TLS handshake, the first request, each request's headers, which also closes
//! a kept-alive connection that stays idle).
//!
//! [`Limits`] is an acceptor placed under TLS: a connection over a bound is closed before its
//! handshake, and each accepted one gives its place back when it closes.

use axum_server::accept::Accept;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Connections one client address may hold open at once (a browser opens a handful).
pub const PER_ADDRESS: usize = 24;
/// Connections the LAN port holds open at once, far below the service's file limit
/// (`LimitNOFILE` in its unit), so the kiosk socket and the databases always have descriptors.
pub const IN_ALL: usize = 512;
/// Time for a TLS handshake.
pub const HANDSHAKE: Duration = Duration::from_secs(5);
/// Time from the handshake to the first complete request.
pub const FIRST_REQUEST: Duration = Duration::from_secs(10);
/// Time for a request's headers; also how long a kept-alive connection may wait idle.
pub const HEADERS: Duration = Duration::from_secs(15);
/// Time for a request's body, read by the JSON and form extractors (bodies are a few fields).
pub const BODY: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Open {
    by_address: HashMap<IpAddr, usize>,
    total: usize,
}

/// The acceptor that counts connections (clone it freely: the counts are shared).
#[derive(Clone)]
pub struct Limits<A> {
    inner: A,
    per_address: usize,
    in_all: usize,
    open: Arc<Mutex<Open>>,
}

impl<A> Limits<A> {
    pub fn new(inner: A, per_address: usize, in_all: usize) -> Limits<A> {
        Limits {
            inner,
            per_address,
            in_all,
            open: Arc::default(),
        }
    }

    /// Takes a place for `address`, or refuses if a bound is reached.
    fn admit(&self, address: IpAddr) -> Option<Place> {
        let mut open = self.open.lock().ok()?;
        let here = open.by_address.get(&address).copied().unwrap_or(0);
        if here >= self.per_address || open.total >= self.in_all {
            return None;
        }
        open.total += 1;
        open.by_address.insert(address, here + 1);
        Some(Place {
            address,
            open: self.open.clone(),
        })
    }
}

/// A connection's place, given back when the connection is dropped.
struct Place {
    address: IpAddr,
    open: Arc<Mutex<Open>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(n) = open.by_address.get_mut(&self.address) {
                *n -= 1;
                if *n == 0 {
                    open.by_address.remove(&self.address);
                }
            }
        }
    }
}

/// A TCP stream that holds its place.
pub struct Counted {
    stream: TcpStream,
    _place: Place,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

impl<A, S> Accept<TcpStream, S> for Limits<A>
where
    A: Accept<Counted, S> + Clone + Send + 'static,
    A::Future: Send,
    S: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(A::Stream, A::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream
            .peer_addr()
            .ok()
            .and_then(|peer| self.admit(peer.ip()).map(|place| (peer, place)));
        let inner = self.inner.clone();
        Box::pin(async move {
            let Some((peer, place)) = admitted else {
                // Dropping the stream closes it: nothing is read, nothing is answered.
                return Err(io::Error::other(
                    "connection limit reached for this address",
                ));
            };
            stream.set_nodelay(true)?;
            tracing::trace!(%peer, "connection admitted");
            inner
                .accept(
                    Counted {
                        stream,
                        _place: place,
                    },
                    service,
                )
                .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_per_address_and_in_all_and_given_back() {
        let limits = Limits::new((), 2, 3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = limits.admit(a).expect("first");
        let _a2 = limits.admit(a).expect("second");
        assert!(limits.admit(a).is_none(), "a third from one address");
        let _b1 = limits.admit(b).expect("another address");
        assert!(limits.admit(b).is_none(), "three in all");
        drop(a1);
        assert!(
            limits.admit(b).is_some(),
            "a closed connection gives its place back"
        );
    }
}
