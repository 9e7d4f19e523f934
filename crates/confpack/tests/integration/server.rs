//! Starting and stopping the real binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::client::Client;

/// The binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_confpack")
}

/// A running `confpack serve` with its own data directory.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The data directory (kept for the admin CLI).
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts a server on a fresh data directory with extra `serve` arguments.
    pub fn start(extra: &[&str]) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().to_owned();
        Self::start_in(&dir, extra, Some(temp))
    }

    /// Starts a server on `data_dir`.
    pub fn start_in(data_dir: &Path, extra: &[&str], temp: Option<tempfile::TempDir>) -> Self {
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "info")
            .env_remove("CONFPACK_DATABASE")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn confpack serve");
        let stderr = child.stderr.take().expect("stderr piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let address = rest.split_whitespace().next().unwrap_or_default().to_owned();
                    let _ = tx.send(address);
                }
                let mut log = sink.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start; its log:\n{}", log.lock().expect("log lock"));
            }
        };
        Self { child, endpoint: format!("http://{address}"), data_dir: data_dir.to_owned(), _temp: temp, log }
    }

    /// The key pair written to `credentials.json` on first start.
    pub fn credentials(&self) -> Value {
        let text = std::fs::read_to_string(self.data_dir.join("credentials.json")).expect("credentials.json");
        serde_json::from_str(&text).expect("credentials are JSON")
    }

    /// A client signing with the first account's key.
    pub fn client(&self) -> Client {
        Client::from_credentials(&self.endpoint, &self.credentials())
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Runs an admin command against this server's data directory.
    pub fn admin(&self, args: &[&str]) -> std::process::Output {
        Command::new(binary())
            .args(args)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("CONFPACK_DATABASE")
            .output()
            .expect("run admin command")
    }

    /// Kills the server with SIGKILL (a crash) and waits for it; the data directory stays.
    pub fn kill(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
        (self.data_dir.clone(), self._temp.take())
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn stop(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop after SIGTERM; log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
