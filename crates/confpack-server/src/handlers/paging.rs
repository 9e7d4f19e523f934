//! Opaque `NextToken`s: base64url of a small JSON value naming where the next page starts.
//! A token that does not decode is the client's error (`InvalidParameter` naming it).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use confpack_protocol::{ApiError, Params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Encodes a cursor.
pub(crate) fn encode<T: Serialize>(cursor: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

/// Decodes the `NextToken` parameter, if any.
pub(crate) fn decode<T: DeserializeOwned>(params: &Params) -> Result<Option<T>, ApiError> {
    let Some(token) = params.optional("NextToken") else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD.decode(token).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).map(Some).ok_or_else(
        || ApiError::invalid_parameter("NextToken", "it was not returned by a previous call of this action"),
    )
}

/// `MaxResults` in 1..=100, defaulting to `default` (or required when `default` is None).
pub(crate) fn max_results(params: &Params, default: Option<i64>) -> Result<u32, ApiError> {
    let value = match (params.int_in("MaxResults", 1, 100)?, default) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => return Err(ApiError::missing_parameter("MaxResults")),
    };
    Ok(u32::try_from(value).unwrap_or(100))
}

/// `PageNumber` (from 1, default 1) and `PageSize` (1 to 100, default 10) of the actions
/// that page by number.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageRequest {
    /// The page, from 1.
    pub(crate) number: i64,
    /// Items per page.
    pub(crate) size: i64,
}

impl PageRequest {
    /// Reads the request's paging parameters.
    pub(crate) fn from_params(params: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            number: params.int_in("PageNumber", 1, i64::MAX)?.unwrap_or(1),
            size: params.int_in("PageSize", 1, 100)?.unwrap_or(10),
        })
    }

    /// The requested page of `items`.
    pub(crate) fn slice<T>(&self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        let start = usize::try_from((self.number - 1).saturating_mul(self.size)).unwrap_or(usize::MAX);
        items.into_iter().skip(start).take(usize::try_from(self.size).unwrap_or(10)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        let token = encode(&("ACS::ECS::Instance", "i-1"));
        let params = Params::from_pairs(vec![("NextToken".into(), token)]);
        assert_eq!(
            decode::<(String, String)>(&params).ok().flatten(),
            Some(("ACS::ECS::Instance".into(), "i-1".into()))
        );
        let bad = Params::from_pairs(vec![("NextToken".into(), "not-a-token".into())]);
        assert!(decode::<(String, String)>(&bad).is_err());
    }
}
