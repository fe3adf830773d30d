//! Prometheus's scrape endpoint: `GET /metrics` answers the engine's metrics
//! (`annlab_core::metrics`) in the text exposition format, plus a few gauges of
//! the server's own. A deliberately small HTTP/1.1 server: one request per
//! connection, bounded request size, nothing else served.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::state::State;

/// Longest request head read; anything longer is refused.
const MAX_REQUEST: usize = 8192;

/// Serves until the runtime stops.
pub async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), answer(stream, &state)).await;
        });
    }
}

async fn answer(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_REQUEST {
            return respond(&mut stream, "431 Request Header Fields Too Large", "").await;
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    match (method, path.split('?').next().unwrap_or("")) {
        ("GET", "/metrics") => respond(&mut stream, "200 OK", &render(state)).await,
        ("GET", "/healthz") => respond(&mut stream, "200 OK", "OK\n").await,
        ("GET", _) => respond(&mut stream, "404 Not Found", "try /metrics\n").await,
        _ => respond(&mut stream, "405 Method Not Allowed", "").await,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// The engine's metrics and the server's gauges.
pub fn render(state: &State) -> String {
    let mut out = state.metrics.lock().render_prometheus();
    out.push_str("# HELP annlab_collection_rows Live rows of each collection (count(*)).\n");
    out.push_str("# TYPE annlab_collection_rows gauge\n");
    let collections = state.all_entries();
    for (name, entry) in &collections {
        let rows = entry.collection.read().count();
        out.push_str(&format!(
            "annlab_collection_rows{{collection=\"{}\"}} {rows}\n",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }
    out.push_str("# HELP annlab_uptime_seconds Seconds since the server started.\n");
    out.push_str("# TYPE annlab_uptime_seconds gauge\n");
    out.push_str(&format!(
        "annlab_uptime_seconds {}\n",
        state.started.elapsed().as_secs_f64()
    ));
    out
}
