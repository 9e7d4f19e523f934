//! The router: `/` for every RPC action (GET and POST), `/healthz`, `/metrics`, and
//! `/reports/…` for pre-signed report downloads.

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use confpack_protocol::render::{self, Rendered};
use confpack_protocol::{Action, ApiError, ErrorCode, RpcRequest};
use tracing::Instrument;

use crate::auth::authenticate;
use crate::dispatch::dispatch;
use crate::handlers::CallContext;
use crate::observability::record_request;
use crate::state::AppState;

/// Largest request body accepted (a batch of resource configurations fits easily).
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Builds the router over `state`; `main` and the tests both start here.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(rpc).post(rpc))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/reports/{account}/{report}/{file}", get(crate::reporting::download::download))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn rpc(
    State(state): State<AppState>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let request_id = render::new_request_id();
    let host_id = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("confpack").to_owned();
    let span = tracing::info_span!("rpc", request_id = %request_id, action = tracing::field::Empty, access_key_id = tracing::field::Empty);
    async move {
        let (format, action_label, outcome) =
            match RpcRequest::parse(method.as_str(), query.as_deref(), &headers, &body) {
                Err((format, error)) => (format, None, Err(error)),
                Ok(request) => {
                    let label = request.action.clone();
                    if let Some(name) = &label {
                        tracing::Span::current().record("action", name.as_str());
                    }
                    (request.format, label, handle(&state, &request, &headers, &body).await)
                }
            };
        let action_name = action_label.as_deref().unwrap_or("");
        let (rendered, code) = match outcome {
            Ok(fields) => (render::success(format, action_name, &request_id, fields), "OK"),
            Err(error) => {
                let code = error.code.code();
                // 501 (an action not implemented yet) is the client's choice, not a failure.
                if error.status() >= 500 && error.code != ErrorCode::OperationNotSupported {
                    tracing::warn!(code, message = %error.message, "request failed");
                } else {
                    tracing::info!(code, message = %error.message, "request refused");
                }
                (render::error(format, &request_id, &host_id, &error), code)
            }
        };
        let known_action = action_label.as_deref().and_then(Action::from_name).map_or("(unknown)", Action::name);
        record_request(known_action, code, started.elapsed());
        tracing::debug!(status = rendered.status, elapsed_us = started.elapsed().as_micros() as u64, "done");
        into_response(rendered)
    }
    .instrument(span)
    .await
}

/// Everything after parsing: action, version, authentication, dispatch.
async fn handle(
    state: &AppState,
    request: &RpcRequest,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    if state.is_shutting_down() {
        return Err(ApiError::new(ErrorCode::ServiceUnavailable));
    }
    let name = request.action.as_deref().ok_or_else(|| ApiError::missing_parameter("Action"))?;
    let action = Action::from_name(name).ok_or_else(|| {
        ApiError::with_message(
            ErrorCode::InvalidActionNotFound,
            format!(
                "Specified api is not found, please check your url and method: no action {name:?} in API 2020-09-07."
            ),
        )
    })?;
    request.check_version()?;
    let caller = authenticate(state, request, headers, body).await?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let ctx = CallContext { state, caller: &caller, params: &request.params, host };
    dispatch(action, &ctx).await.unwrap_or_else(|| Err(ApiError::not_supported(action.name())))
}

fn into_response(rendered: Rendered) -> Response {
    let status = StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, rendered.body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(rendered.content_type));
    response
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    match state.inner().store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match &state.inner().metrics {
        Some(handle) => {
            let mut response = handle.render().into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
            response
        }
        None => (StatusCode::NOT_FOUND, "metrics are not enabled\n").into_response(),
    }
}
