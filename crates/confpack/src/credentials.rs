//! The credentials file a fresh data directory gets: the first account's key pair, as
//! `{"AccountId","AccessKeyId","AccessKeySecret"}`, readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use confpack_model::AccessKey;
use serde_json::json;

/// The file name inside the data directory.
pub const CREDENTIALS_FILE: &str = "credentials.json";

/// The JSON object `accounts create`, `keys create` and the credentials file share.
pub fn key_json(key: &AccessKey) -> serde_json::Value {
    json!({
        "AccountId": key.account_id.get(),
        "AccessKeyId": key.id.as_str(),
        "AccessKeySecret": key.secret.expose(),
    })
}

/// Writes the credentials file with mode 0600, replacing any previous one atomically.
pub fn write(data_dir: &Path, key: &AccessKey) -> anyhow::Result<PathBuf> {
    let path = data_dir.join(CREDENTIALS_FILE);
    let partial = data_dir.join(format!(".{CREDENTIALS_FILE}.partial"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let text = serde_json::to_string_pretty(&key_json(key))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&partial, &path).with_context(|| format!("publishing {}", path.display()))?;
    Ok(path)
}
