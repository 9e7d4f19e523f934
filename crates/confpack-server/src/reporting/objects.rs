//! Where report files live: an object store of keys to files. The local directory below
//! the data directory is the default; an S3-compatible store can implement the same trait
//! without any change to report generation or downloads.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::io::AsyncRead;

/// An object's content, streamed.
pub struct ObjectBody {
    /// The bytes.
    pub reader: Box<dyn AsyncRead + Send + Unpin>,
    /// Their number.
    pub length: u64,
}

/// Report objects by key (`{account}/{report id}/report.{ext}`).
#[async_trait]
pub trait ReportObjects: Send + Sync + 'static {
    /// Stores the file at `local` under `key` (the local file may be moved away); readers
    /// see the whole object or none.
    async fn put(&self, key: &str, local: &Path) -> std::io::Result<()>;
    /// The object under `key`, if there is one.
    async fn get(&self, key: &str) -> std::io::Result<Option<ObjectBody>>;
    /// Removes every object whose key starts with `prefix/`.
    async fn delete_prefix(&self, prefix: &str) -> std::io::Result<()>;
}

/// Objects as files below a root directory.
pub struct LocalObjects {
    root: PathBuf,
}

impl LocalObjects {
    /// Objects below `root` (created when needed).
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The file of a key; keys are built by confpack, never taken from a request as is, but
    /// a key with `..` or an absolute part is refused all the same.
    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let safe = key.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
        if !safe {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad object key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl ReportObjects for LocalObjects {
    async fn put(&self, key: &str, local: &Path) -> std::io::Result<()> {
        let target = self.path(key)?;
        let dir = target.parent().map(Path::to_owned).unwrap_or_else(|| self.root.clone());
        tokio::fs::create_dir_all(&dir).await?;
        // Moved (or copied, across file systems) beside the target, flushed, then renamed: a
        // reader never sees half a file.
        let partial = dir.join(format!(".{}.partial", target.file_name().and_then(|n| n.to_str()).unwrap_or("object")));
        if tokio::fs::rename(local, &partial).await.is_err() {
            tokio::fs::copy(local, &partial).await?;
        }
        tokio::fs::File::open(&partial).await?.sync_all().await?;
        tokio::fs::rename(&partial, &target).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> std::io::Result<Option<ObjectBody>> {
        match tokio::fs::File::open(self.path(key)?).await {
            Ok(file) => {
                let length = file.metadata().await?.len();
                Ok(Some(ObjectBody { reader: Box::new(file), length }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> std::io::Result<()> {
        match tokio::fs::remove_dir_all(self.path(prefix)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
