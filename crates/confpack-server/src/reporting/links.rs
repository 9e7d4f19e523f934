//! Pre-signed report download links: `…/reports/{path}?Expires={epoch s}&Signature={hex}`,
//! the signature an HMAC-SHA256 over the path and the expiry with a key the deployment's
//! nodes share (kept in the store), so any node can check a link another node minted.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Signs and checks download links.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

/// Why a link was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// `Expires` or `Signature` is missing or malformed.
    Malformed,
    /// The signature does not match the path and expiry.
    Tampered,
    /// The link's time is up.
    Expired,
}

impl LinkSigner {
    /// A signer with `key`.
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    fn mac(&self, path: &str, expires: i64) -> Hmac<Sha256> {
        // The key length is free for HMAC, so this cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(b"GET\n");
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The query string that makes `path` downloadable until `expires` (epoch seconds).
    pub fn query(&self, path: &str, expires: i64) -> String {
        let signature = hex::encode(self.mac(path, expires).finalize().into_bytes());
        format!("Expires={expires}&Signature={signature}")
    }

    /// Checks a link's `Expires` and `Signature` for `path` at `now` (epoch seconds), in
    /// constant time for the signature.
    pub fn verify(
        &self,
        path: &str,
        expires: Option<&str>,
        signature: Option<&str>,
        now: i64,
    ) -> Result<(), LinkError> {
        let expires: i64 = expires.and_then(|e| e.parse().ok()).ok_or(LinkError::Malformed)?;
        let signature = signature.and_then(|s| hex::decode(s).ok()).ok_or(LinkError::Malformed)?;
        self.mac(path, expires).verify_slice(&signature).map_err(|_| LinkError::Tampered)?;
        if now >= expires {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(query: &str) -> (String, String) {
        let mut it = query.split('&').map(|p| p.split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default());
        (it.next().unwrap_or_default(), it.next().unwrap_or_default())
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let signer = LinkSigner::new(b"key");
        let (expires, signature) = parts(&signer.query("/reports/1/cpr-1/a.xlsx", 1000));
        assert_eq!(signer.verify("/reports/1/cpr-1/a.xlsx", Some(&expires), Some(&signature), 999), Ok(()));
        assert_eq!(
            signer.verify("/reports/1/cpr-1/a.xlsx", Some(&expires), Some(&signature), 1000),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn changed_paths_expiries_keys_and_signatures_are_refused() {
        let signer = LinkSigner::new(b"key");
        let (expires, signature) = parts(&signer.query("/reports/1/cpr-1/a.xlsx", 1000));
        assert_eq!(
            signer.verify("/reports/2/cpr-1/a.xlsx", Some(&expires), Some(&signature), 1),
            Err(LinkError::Tampered)
        );
        assert_eq!(
            signer.verify("/reports/1/cpr-1/a.xlsx", Some("2000"), Some(&signature), 1),
            Err(LinkError::Tampered)
        );
        assert_eq!(
            LinkSigner::new(b"other").verify("/reports/1/cpr-1/a.xlsx", Some(&expires), Some(&signature), 1),
            Err(LinkError::Tampered)
        );
        assert_eq!(signer.verify("/reports/1/cpr-1/a.xlsx", Some(&expires), Some("zz"), 1), Err(LinkError::Malformed));
        assert_eq!(signer.verify("/reports/1/cpr-1/a.xlsx", None, Some(&signature), 1), Err(LinkError::Malformed));
    }
}
