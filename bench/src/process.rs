//! Servers the bench starts as child processes, and their memory as the kernel reports it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child server on a loopback port; killed when dropped so a failed run leaves nothing behind.
pub struct Server {
    child: Child,
    pub base: String,
    pub pid: u32,
    pub log: PathBuf,
}

/// A port that was free a moment ago. The server binds it right after; a clash fails loudly.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    /// Starts `bin args…` with `env`, output to `log`, and waits until `ready_path` answers 200.
    pub async fn start(
        bin: &Path,
        args: &[String],
        env: &[(&str, String)],
        port: u16,
        log: &Path,
        ready_path: &str,
    ) -> Result<Server, String> {
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let pid = child.id();
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            pid,
            log: log.to_path_buf(),
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "{} exited with {status} before it was ready; see {}",
                    bin.display(),
                    log.display()
                ));
            }
            let ok = http
                .get(format!("{}{ready_path}", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} was not ready after 60 s; see {}",
                    bin.display(),
                    log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn memory(&self) -> Memory {
        Memory::of(self.pid)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory now and its high-water mark since the process started, in KiB.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Memory {
    pub rss_kb: u64,
    pub hwm_kb: u64,
}

impl Memory {
    /// Reads `VmRSS` and `VmHWM` from `/proc/<pid>/status`; zeros where that is unavailable.
    pub fn of(pid: u32) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Memory {
            rss_kb: field("VmRSS:"),
            hwm_kb: field("VmHWM:"),
        }
    }
}
