//! `ApiJson<T>`: a JSON body extractor whose every rejection is an [`ApiError`] with a precise
//! code (`unsupported_media_type`, `body_too_large`, `invalid_utf8`, `malformed_json`,
//! `invalid_field`) instead of axum's plain-text ones.

use super::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as Content-Type: application/json",
            ));
        }
        let read = tokio::time::timeout(super::connections::BODY, Bytes::from_request(req, state));
        let bytes = read
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_too_slow",
                    "the body did not arrive in time",
                )
            })?
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        format!("the body is larger than {} bytes", super::MAX_BODY_BYTES),
                    )
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.body_text())
                }
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// The body's bytes to `T`, with the error a client can act on.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_utf8",
            format!("the body is not UTF-8 (byte {})", e.valid_up_to()),
        )
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_data() {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("{}: {}", e.path(), inner),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {inner}"),
            )
        }
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        service: String,
        priority: Option<bool>,
    }

    #[test]
    fn each_kind_of_bad_body_has_its_code() {
        assert_eq!(
            parse::<Body>(b"\xff\xfe")
                .map(|_| ())
                .expect_err("utf8")
                .code,
            "invalid_utf8"
        );
        assert_eq!(
            parse::<Body>(b"{\"service\": ")
                .map(|_| ())
                .expect_err("eof")
                .code,
            "malformed_json"
        );
        assert_eq!(
            parse::<Body>(b"{\"service\": \"A\"} trailing")
                .map(|_| ())
                .expect_err("trailing")
                .code,
            "malformed_json"
        );
        let e = parse::<Body>(b"{\"service\": \"A\", \"priority\": \"yes\"}")
            .map(|_| ())
            .expect_err("type");
        assert_eq!(
            (e.code, e.message.starts_with("priority")),
            ("invalid_field", true),
            "{}",
            e.message
        );
        assert_eq!(
            parse::<Body>(b"{\"service\": \"A\", \"name\": \"x\"}")
                .map(|_| ())
                .expect_err("unknown")
                .code,
            "invalid_field"
        );
        assert_eq!(
            parse::<Body>(b"[]").map(|_| ()).expect_err("array").code,
            "invalid_field"
        );
        assert!(parse::<Body>(b"{\"service\": \"A\"}").is_ok());
    }
}
