//! The accepting thread: takes connections, reads their request heads (all of them at once, with
//! mio, so a slow client costs a buffer and a socket but no thread), and hands each complete
//! request to the worker pool.
//!
//! Bounds (see [`super::limits`]): at most `MAX_PENDING` connections in this stage, each until
//! `HEAD_DEADLINE` after it was accepted (408, or closed if it sent nothing); when the table is
//! full a new connection replaces the one waiting longest (503); a full pool answers 503; a head
//! over `MAX_HEAD` 431. Error answers are followed by reading and
//! dropping what the client still sends for a short while (`DRAIN_*`), so it sees the answer
//! rather than a reset. When `accept` fails (no file descriptors left, `EMFILE`/`ENFILE`, or
//! memory) the loop stops accepting for a growing pause instead of retrying in a busy loop; the
//! connections it holds keep being served and expire, which frees descriptors again.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use super::http::{parse_head, status_response, Head, Job};
use super::limits::{
    ACCEPT_BACKOFF_MAX, ACCEPT_BACKOFF_MIN, DRAIN_BYTES, DRAIN_TIME, HEAD_DEADLINE, MAX_HEAD, MAX_PENDING,
};
use super::pool::Pool;

const LISTENER: Token = Token(usize::MAX);

/// A connection that has not yet delivered a complete request head.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    accepted: Instant,
    deadline: Instant,
    /// An error answer was sent; what arrives now is read and dropped until `deadline`.
    draining: bool,
    drained: usize,
}

/// Runs until the poller itself fails.
pub fn run(listener: std::net::TcpListener, pool: &Pool<Job>) -> io::Result<Infallible> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut events = Events::with_capacity(256);
    let mut conns: HashMap<Token, Conn> = HashMap::new();
    let mut next_token = 0usize;
    // Readiness is edge-triggered: remember that connections may be waiting while accepting pauses.
    let mut accept_ready = true;
    let mut backoff = Backoff::default();

    loop {
        let now = Instant::now();
        let wake = conns.values().map(|c| c.deadline).chain(backoff.until).min();
        let timeout = wake.map(|w| w.saturating_duration_since(now));
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in events.iter() {
            let token = event.token();
            if token == LISTENER {
                accept_ready = true;
            } else if let Some(conn) = conns.get_mut(&token) {
                match on_readable(conn) {
                    Next::Keep => {}
                    Next::Close => {
                        conns.remove(&token);
                    }
                    Next::HandOff(request) => {
                        if let Some(mut conn) = conns.remove(&token) {
                            let _ = poll.registry().deregister(&mut conn.stream);
                            hand_off(conn.stream, request, pool);
                        }
                    }
                }
            }
        }

        let now = Instant::now();
        if accept_ready && backoff.until.is_none_or(|t| t <= now) {
            backoff.until = None;
            accept_ready = accept_all(&listener, &poll, &mut conns, &mut next_token, &mut backoff);
        }
        expire(&mut conns, now);
    }
}

enum Next {
    Keep,
    Close,
    HandOff(super::http::Request),
}

/// Accepts until the backlog is empty (returns false) or `accept` fails (true: retry later).
fn accept_all(
    listener: &TcpListener,
    poll: &Poll,
    conns: &mut HashMap<Token, Conn>,
    next_token: &mut usize,
    backoff: &mut Backoff,
) -> bool {
    loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                backoff.reset();
                if conns.len() >= MAX_PENDING {
                    evict_oldest(conns);
                }
                let token = Token(*next_token);
                *next_token = (*next_token + 1) % (usize::MAX - 1);
                if poll.registry().register(&mut stream, token, Interest::READABLE).is_err() {
                    continue;
                }
                let now = Instant::now();
                let conn = Conn {
                    stream,
                    buf: Vec::new(),
                    accepted: now,
                    deadline: now + HEAD_DEADLINE,
                    draining: false,
                    drained: 0,
                };
                conns.insert(token, conn);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
            // The client gave up before we took it, or a signal: neither says anything about us.
            Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted) => {}
            Err(e) => {
                backoff.fail(&e);
                return true;
            }
        }
    }
}

/// Reads everything available (readiness is edge-triggered) and says what to do next.
fn on_readable(conn: &mut Conn) -> Next {
    let mut chunk = [0u8; 4096];
    loop {
        let room = if conn.draining { chunk.len() } else { chunk.len().min(MAX_HEAD - conn.buf.len()) };
        match conn.stream.read(&mut chunk[..room]) {
            Ok(0) => return Next::Close,
            Ok(n) if conn.draining => {
                conn.drained += n;
                if conn.drained > DRAIN_BYTES {
                    return Next::Close;
                }
            }
            Ok(n) => {
                conn.buf.extend_from_slice(&chunk[..n]);
                match parse_head(&conn.buf) {
                    Head::Partial => {}
                    Head::Complete(request) => return Next::HandOff(request),
                    Head::Invalid(code) => start_draining(conn, code),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Next::Keep,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Next::Close,
        }
    }
}

/// Sends an error answer, ends our side, and keeps reading (dropping) for `DRAIN_TIME`.
fn start_draining(conn: &mut Conn, code: u16) {
    // A fresh socket's send buffer takes a short answer whole; if not, the client is not reading.
    let _ = conn.stream.write_all(&status_response(code, false));
    let _ = conn.stream.shutdown(Shutdown::Write);
    conn.draining = true;
    conn.buf = Vec::new();
    conn.deadline = Instant::now() + DRAIN_TIME;
}

/// Makes room for a new connection by dropping the one waiting longest (503 if it sent part of a
/// request): a normal client sends its head at once, so under a flood of slow clients it is the
/// slow ones that go, and new clients keep being served.
fn evict_oldest(conns: &mut HashMap<Token, Conn>) {
    let Some(token) = conns.iter().min_by_key(|(_, c)| c.accepted).map(|(t, _)| *t) else { return };
    if let Some(mut conn) = conns.remove(&token) {
        if !conn.draining && !conn.buf.is_empty() {
            let _ = conn.stream.write_all(&status_response(503, false));
            let _ = conn.stream.shutdown(Shutdown::Write);
        }
    }
}

/// A complete head goes to the pool as a blocking socket; a full pool answers 503.
fn hand_off(stream: TcpStream, request: super::http::Request, pool: &Pool<Job>) {
    let stream = std::net::TcpStream::from(stream);
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    if let Err(job) = pool.try_submit(Job { stream, request }) {
        let mut stream = job.stream;
        let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
        let _ = stream.write_all(&status_response(503, false));
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Past the head deadline: 408 if the client sent part of a request, else just close (an idle
/// pre-opened browser connection); a draining connection is closed.
fn expire(conns: &mut HashMap<Token, Conn>, now: Instant) {
    let due: Vec<Token> = conns.iter().filter(|(_, c)| c.deadline <= now).map(|(t, _)| *t).collect();
    for token in due {
        let Some(conn) = conns.get_mut(&token) else { continue };
        if conn.draining || conn.buf.is_empty() {
            conns.remove(&token);
        } else {
            start_draining(conn, 408);
            if matches!(on_readable(conn), Next::Close) {
                conns.remove(&token);
            }
        }
    }
}

/// Growing pause between failing `accept` calls.
#[derive(Default)]
struct Backoff {
    until: Option<Instant>,
    delay: Option<Duration>,
}

impl Backoff {
    fn fail(&mut self, e: &io::Error) {
        let delay = match self.delay {
            None => {
                // Once per streak of failures, not once per retry.
                eprintln!("memwatch: cannot accept connections ({e}); retrying with pauses");
                ACCEPT_BACKOFF_MIN
            }
            Some(d) => (d * 2).min(ACCEPT_BACKOFF_MAX),
        };
        self.delay = Some(delay);
        self.until = Some(Instant::now() + delay);
    }

    fn reset(&mut self) {
        self.delay = None;
    }
}
