//! A stand-in for the Lambda Runtime API, so a function's real binary can be run as Lambda runs it: the
//! binary asks for the next event, gets an API Gateway v2 event, and posts its response back.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex};

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// What the function posted back for the one invocation.
#[derive(Debug)]
pub enum Outcome {
    Response(Value),
    Error(String),
}

/// Builds the named function binaries with `profile` (same target directory) and returns their paths.
pub fn build_function_binaries(functions: &[&str], profile: &str) -> Vec<PathBuf> {
    let mut command = std::process::Command::new(env!("CARGO"));
    command
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "--profile",
            profile,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for function in functions {
        command.args(["-p", function]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(
        output.status.success(),
        "cargo build of {functions:?} failed"
    );
    let messages = String::from_utf8(output.stdout).expect("cargo prints UTF-8");
    functions
        .iter()
        .map(|function| {
            messages
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .filter(|message| message["target"]["name"] == *function)
                .find_map(|message| message["executable"].as_str().map(PathBuf::from))
                .unwrap_or_else(|| panic!("no executable for {function}"))
        })
        .collect()
}

/// Runs `binary` against a fresh runtime API that serves `event` once; returns what the function posted.
pub async fn invoke(binary: &Path, function: &str, event: Value, envs: &[(&str, &str)]) -> Outcome {
    invoke_many(binary, function, event, 1, envs)
        .await
        .outcomes
        .remove(0)
}

/// What a run of `count` invocations of one binary showed.
#[derive(Debug)]
pub struct Invocations {
    pub outcomes: Vec<Outcome>,
    /// From starting the process to the first response posted (init included).
    pub cold_start: Duration,
    /// From handing out each event to its response, in order.
    pub latencies: Vec<Duration>,
    /// The process's peak resident set (VmHWM), in KiB.
    pub peak_rss_kib: Option<u64>,
}

/// Runs `binary` as Lambda would, serving it `event` `count` times, one after the other.
pub async fn invoke_many(
    binary: &Path,
    function: &str,
    event: Value,
    count: usize,
    envs: &[(&str, &str)],
) -> Invocations {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let (outcomes, mut received) = mpsc::unbounded_channel();
    let runtime = Arc::new(Runtime {
        event,
        remaining: Mutex::new(count),
        handed_out_at: Mutex::new(None),
        outcomes,
        function: function.to_owned(),
    });
    let server = tokio::spawn(serve(listener, runtime));

    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "test")
        .env("AWS_REGION", "eu-west-1")
        .envs(envs.iter().copied())
        .kill_on_drop(true)
        .stdout(Stdio::null())
        .spawn()
        .expect("start the function binary");
    let mut result = Invocations {
        outcomes: Vec::with_capacity(count),
        cold_start: Duration::ZERO,
        latencies: Vec::with_capacity(count),
        peak_rss_kib: None,
    };
    while result.outcomes.len() < count {
        let (outcome, latency) = tokio::time::timeout(Duration::from_secs(30), received.recv())
            .await
            .unwrap_or_else(|_| panic!("{function} did not answer within 30 s"))
            .expect("an outcome");
        if result.outcomes.is_empty() {
            result.cold_start = started.elapsed();
        }
        result.outcomes.push(outcome);
        result.latencies.push(latency);
    }
    result.peak_rss_kib = child.id().and_then(peak_rss_kib);
    let _ = child.kill().await;
    server.abort();
    result
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

struct Runtime {
    event: Value,
    remaining: Mutex<usize>,
    handed_out_at: Mutex<Option<Instant>>,
    outcomes: mpsc::UnboundedSender<(Outcome, Duration)>,
    function: String,
}

async fn serve(listener: TcpListener, runtime: Arc<Runtime>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let runtime = Arc::clone(&runtime);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let runtime = Arc::clone(&runtime);
                async move { Ok::<_, Infallible>(runtime.answer(req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

impl Runtime {
    async fn answer(&self, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        let path = req.uri().path().to_owned();
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        if path.ends_with("/runtime/invocation/next") {
            let served_all = {
                let mut remaining = self.remaining.lock().await;
                let served_all = *remaining == 0;
                *remaining = remaining.saturating_sub(1);
                served_all
            };
            if served_all {
                // Every event was served: later polls wait until the binary is stopped.
                std::future::pending::<()>().await;
            }
            *self.handed_out_at.lock().await = Some(Instant::now());
            let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
            return Response::builder()
                .header("lambda-runtime-aws-request-id", REQUEST_ID)
                .header("lambda-runtime-deadline-ms", deadline.to_string())
                .header(
                    "lambda-runtime-invoked-function-arn",
                    format!(
                        "arn:aws:lambda:eu-west-1:123456789012:function:{}",
                        self.function
                    ),
                )
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(self.event.to_string())))
                .expect("a valid response");
        }
        let latency = self
            .handed_out_at
            .lock()
            .await
            .map(|at| at.elapsed())
            .unwrap_or_default();
        let outcome = if path.ends_with(&format!("/runtime/invocation/{REQUEST_ID}/response")) {
            Outcome::Response(serde_json::from_slice(&body).unwrap_or(Value::Null))
        } else {
            Outcome::Error(format!("{path}: {}", String::from_utf8_lossy(&body)))
        };
        let _ = self.outcomes.send((outcome, latency));
        Response::builder()
            .status(202)
            .body(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}")))
            .expect("a valid response")
    }
}

/// Reads a fixture event from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read fixture"))
        .expect("fixture is JSON")
}
