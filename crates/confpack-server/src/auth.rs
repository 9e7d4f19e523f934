//! Authentication of an RPC call: credentials, freshness, the AccessKey and its account,
//! the signature (constant-time), the nonce, then flow control, in that order, so that a
//! request which fails a check never consumes its nonce.

use axum::http::HeaderMap;
use confpack_model::{AccessKeyId, AccountId, AccountStatus, KeyStatus};
use confpack_protocol::request::check_freshness;
use confpack_protocol::{ApiError, ErrorCode, RpcRequest};
use time::OffsetDateTime;

use crate::handlers::store_failure;
use crate::state::AppState;

/// Who is calling: the account every query of this request is scoped to.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) account: AccountId,
}

pub(crate) async fn authenticate(
    state: &AppState,
    request: &RpcRequest,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, ApiError> {
    let inner = state.inner();
    let credentials = request.credentials(headers)?;
    let now = OffsetDateTime::now_utc();
    check_freshness(credentials.time(), now)?;

    let key_id = AccessKeyId::new(credentials.access_key_id());
    let found = match inner.keys.get(&key_id) {
        Some(cached) => cached,
        None => {
            let fresh = inner.store.find_access_key(&key_id).await.map_err(store_failure)?;
            inner.keys.put(key_id.clone(), fresh.clone());
            fresh
        }
    };
    let (key, account_status) = found.ok_or_else(|| ApiError::new(ErrorCode::InvalidAccessKeyIdNotFound))?;
    if key.status != KeyStatus::Active {
        return Err(ApiError::new(ErrorCode::InvalidAccessKeyIdInactive));
    }
    if account_status != AccountStatus::Enabled {
        return Err(ApiError::new(ErrorCode::AccountNotExisted));
    }
    request.verify(&credentials, headers, body, key.secret.expose())?;
    if !inner.nonces.first_use(
        key_id.as_str(),
        credentials.nonce(),
        credentials.time().unix_timestamp(),
        now.unix_timestamp(),
    ) {
        return Err(ApiError::new(ErrorCode::SignatureNonceUsed));
    }
    if !inner.throttle.admit(key_id.as_str()) {
        return Err(ApiError::new(ErrorCode::ThrottlingUser));
    }
    tracing::Span::current().record("access_key_id", key_id.as_str());
    Ok(Caller { account: key.account_id })
}
