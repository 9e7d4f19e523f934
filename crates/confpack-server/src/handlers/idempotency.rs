//! ClientToken idempotency (API reference §12): a retry with the same token and the same
//! parameters gets the original response and does nothing; the same token with other
//! parameters gets `IdempotentParameterMismatch`. Tokens are remembered per account and
//! action for 24 hours.

use confpack_protocol::{ApiError, ErrorCode};
use confpack_store::TokenedRequest;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{ActionResult, CallContext, now_ms, store_failure};

/// How long a token is remembered.
const RETENTION_MS: i64 = 24 * 3600 * 1000;

/// Parameters that belong to the transport, not to the request's meaning.
const TRANSPORT: &[&str] = &[
    "AccessKeyId",
    "Action",
    "ClientToken",
    "Format",
    "RegionId",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// A hash of the request's business parameters, independent of their order.
fn fingerprint(ctx: &CallContext<'_>) -> String {
    let mut pairs: Vec<&(String, String)> =
        ctx.params.pairs().iter().filter(|(k, _)| !TRANSPORT.contains(&k.as_str())).collect();
    pairs.sort();
    let mut hash = Sha256::new();
    for (k, v) in pairs {
        hash.update(k.as_bytes());
        hash.update([0]);
        hash.update(v.as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}

/// Runs `action` once per ClientToken: a known token with the same parameters replays the
/// remembered response; with other parameters it is refused. Failures are not remembered,
/// so a corrected retry with the same token can succeed.
pub(crate) async fn once<F>(ctx: &CallContext<'_>, action: &str, run: F) -> ActionResult
where
    F: AsyncFnOnce() -> ActionResult,
{
    let Some(token) = ctx.params.ascii_token("ClientToken", 64)? else { return run().await };
    let print = fingerprint(ctx);
    let now = now_ms();
    let store = ctx.store();
    if let Some((known, response)) =
        store.recall_client_token(ctx.account(), action, token, now - RETENTION_MS).await.map_err(store_failure)?
    {
        return replay(&known, &print, &response);
    }
    let fields = run().await?;
    let text = Value::Object(fields.clone()).to_string();
    let request = TokenedRequest { action, token, fingerprint: &print, response: &text };
    match store.remember_client_token(ctx.account(), &request, now, now - RETENTION_MS).await {
        Ok(None) => Ok(fields),
        // A concurrent request with the same token won the race: answer as it did.
        Ok(Some((known, response))) => replay(&known, &print, &response),
        Err(e) => Err(store_failure(e)),
    }
}

fn replay(known: &str, print: &str, response: &str) -> ActionResult {
    if known != print {
        return Err(ApiError::with_message(
            ErrorCode::IdempotentParameterMismatch,
            "Request uses a client token in a previous request but is not Identical to that request: send a new ClientToken for different parameters.",
        ));
    }
    match serde_json::from_str::<Value>(response) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => {
            tracing::error!("a remembered ClientToken response is not a JSON object");
            Err(ApiError::internal())
        }
    }
}
