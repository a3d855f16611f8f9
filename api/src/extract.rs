//! Request extractors: JSON bodies checked against their OpenAPI schema (every offending
//! field named at once), cursor paging, and PATCH fields that tell "absent" from `null`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::FieldError;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::ApiError;

/// Largest JSON body accepted.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON body of type `T`: 415 if not JSON, 413 if too big, 400 if malformed, 422 naming
/// every missing or mistyped field and every value `T`'s validation rules refuse.
pub struct ValidJson<T>(pub T);

impl<T> FromRequest for ValidJson<T>
where
    T: DeserializeOwned + Validate + ToSchema + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "the request body must be JSON (Content-Type: application/json)".into(),
                ));
            }
            if declared_len.is_some_and(|n| n > MAX_JSON_BYTES) {
                return Err(ApiError::PayloadTooLarge(MAX_JSON_BYTES));
            }
            let body = read_limited(&mut payload, MAX_JSON_BYTES).await?;
            parse_checked::<T>(&body).map(ValidJson)
        })
    }
}

/// Reads a whole request body, refusing (413) as soon as it grows past `limit`.
pub async fn read_limited<S>(payload: &mut S, limit: usize) -> Result<web::BytesMut, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses and checks a body; public for the extractor's unit tests.
pub fn parse_checked<T: DeserializeOwned + Validate + ToSchema>(
    body: &[u8],
) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let schema = T::schema();
    let mut referenced = Vec::new();
    T::schemas(&mut referenced);
    let refs = Refs(referenced.into_iter().collect());
    let mut errors = Vec::new();
    shape_errors(&value, &schema, "", &refs, &mut errors);
    if !errors.is_empty() {
        // Stand in a default for each bad top-level field, so the value rules can still speak
        // about the others and the client learns every problem in one answer.
        if let Some(repaired) = repair(value, &schema, &errors) {
            if let Ok(parsed) = serde_json::from_value::<T>(repaired) {
                if let Err(e) = parsed.validate() {
                    let reported: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
                    errors.extend(
                        validation_errors(&e, "")
                            .into_iter()
                            .filter(|e| !reported.contains(&e.field)),
                    );
                }
            }
        }
        return Err(ApiError::Invalid(errors));
    }
    let parsed: T = serde_json::from_value(value).map_err(|e| {
        // Not caught by the schema check (a value inside a referenced type): name what serde says.
        ApiError::Invalid(vec![FieldError::new("body", e.to_string())])
    })?;
    parsed
        .validate()
        .map_err(|e| ApiError::Invalid(validation_errors(&e, "")))?;
    Ok(parsed)
}

/// `value` with each offending top-level field replaced by a default of its schema's type.
fn repair(mut value: Value, schema: &RefOr<Schema>, errors: &[FieldError]) -> Option<Value> {
    let RefOr::T(Schema::Object(obj)) = schema else {
        return None;
    };
    let map = value.as_object_mut()?;
    for e in errors {
        let key = e.field.split(['.', '[']).next().unwrap_or_default();
        let Some(RefOr::T(prop)) = obj.properties.get(key) else {
            return None;
        };
        let stand_in = stand_in(prop)?;
        map.insert(key.to_string(), stand_in);
    }
    Some(value)
}

/// A valid value for a schema: its first enum value or the empty value of its type.
fn stand_in(schema: &Schema) -> Option<Value> {
    match schema {
        Schema::Array(_) => Some(Value::Array(vec![])),
        Schema::Object(o) => Some(match o.enum_values.as_ref().and_then(|v| v.first()) {
            Some(first) => first.clone(),
            None => match &o.schema_type {
                SchemaType::Type(t) => default_of(t),
                SchemaType::Array(ts) => ts
                    .iter()
                    .find(|t| **t != Type::Null)
                    .map(default_of)
                    .unwrap_or(Value::Null),
                SchemaType::AnyValue => Value::Null,
            },
        }),
        Schema::OneOf(one) => one.items.iter().find_map(|alt| match alt {
            RefOr::T(s) if !is_null_schema(alt) => stand_in(s),
            _ => None,
        }),
        _ => None,
    }
}

fn default_of(t: &Type) -> Value {
    match t {
        Type::Object => Value::Object(Default::default()),
        Type::String => Value::String(String::new()),
        Type::Integer | Type::Number => Value::from(0),
        Type::Boolean => Value::Bool(false),
        Type::Array => Value::Array(vec![]),
        Type::Null => Value::Null,
    }
}

fn type_name(t: &Type) -> &'static str {
    match t {
        Type::Object => "an object",
        Type::String => "a string",
        Type::Integer => "an integer",
        Type::Number => "a number",
        Type::Boolean => "a boolean",
        Type::Array => "an array",
        Type::Null => "null",
    }
}

fn matches_type(value: &Value, t: &Type) -> bool {
    match t {
        Type::Object => value.is_object(),
        Type::String => value.is_string(),
        Type::Integer => value.is_i64() || value.is_u64(),
        Type::Number => value.is_number(),
        Type::Boolean => value.is_boolean(),
        Type::Array => value.is_array(),
        Type::Null => value.is_null(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The component schemas a request type refers to, by name.
struct Refs(std::collections::HashMap<String, RefOr<Schema>>);

impl Refs {
    fn resolve<'a>(&'a self, schema: &'a RefOr<Schema>) -> Option<&'a Schema> {
        match schema {
            RefOr::T(s) => Some(s),
            RefOr::Ref(r) => {
                let name = r.ref_location.rsplit('/').next()?;
                match self.0.get(name)? {
                    RefOr::T(s) => Some(s),
                    RefOr::Ref(_) => None,
                }
            }
        }
    }
}

/// Checks `value` against a schema: required properties, JSON types, enum values, nested.
fn shape_errors(
    value: &Value,
    schema: &RefOr<Schema>,
    path: &str,
    refs: &Refs,
    errors: &mut Vec<FieldError>,
) {
    let Some(schema) = refs.resolve(schema) else {
        return;
    };
    match schema {
        Schema::Object(obj) => {
            let types: Vec<Type> = match &obj.schema_type {
                SchemaType::Type(t) => vec![t.clone()],
                SchemaType::Array(ts) => ts.clone(),
                SchemaType::AnyValue => return,
            };
            if !types.iter().any(|t| matches_type(value, t)) {
                let expected: Vec<_> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .map(type_name)
                    .collect();
                let field = if path.is_empty() { "body" } else { path };
                errors.push(FieldError::new(
                    field,
                    format!("must be {}", expected.join(" or ")),
                ));
                return;
            }
            if let Some(allowed) = &obj.enum_values {
                if !value.is_null() && !allowed.contains(value) {
                    let names: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
                    errors.push(FieldError::new(
                        path,
                        format!("must be one of {}", names.join(", ")),
                    ));
                }
            }
            if let Value::Object(map) = value {
                for key in &obj.required {
                    if map.get(key).is_none_or(Value::is_null) {
                        errors.push(FieldError::new(join(path, key), "is required"));
                    }
                }
                for (key, prop) in &obj.properties {
                    if let Some(v) = map.get(key) {
                        shape_errors(v, prop, &join(path, key), refs, errors);
                    }
                }
            }
        }
        Schema::Array(arr) => {
            let nullable =
                matches!(&arr.schema_type, SchemaType::Array(ts) if ts.contains(&Type::Null));
            match value {
                Value::Array(items) => {
                    if let ArrayItems::RefOrSchema(item_schema) = &arr.items {
                        for (i, item) in items.iter().enumerate() {
                            shape_errors(item, item_schema, &format!("{path}[{i}]"), refs, errors);
                        }
                    }
                }
                Value::Null if nullable => {}
                _ => errors.push(FieldError::new(path, "must be an array")),
            }
        }
        Schema::OneOf(one) => {
            // Valid when any alternative fits; otherwise report the first non-null one's errors.
            let mut first = None;
            for alternative in &one.items {
                let mut found = Vec::new();
                shape_errors(value, alternative, path, refs, &mut found);
                if found.is_empty() {
                    return;
                }
                if first.is_none() && !is_null_schema(alternative) {
                    first = Some(found);
                }
            }
            errors.extend(first.unwrap_or_default());
        }
        _ => {}
    }
}

fn is_null_schema(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

/// Flattens validator's nested errors into `field: message` pairs.
fn validation_errors(errors: &ValidationErrors, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    for (field, kind) in errors.errors() {
        let path = join(prefix, field);
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("is invalid ({})", e.code));
                    out.push(FieldError::new(path.clone(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => out.extend(validation_errors(inner, &path)),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    out.extend(validation_errors(inner, &format!("{path}[{i}]")));
                }
            }
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

/// For PATCH bodies: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page size and the id to continue after.
    pub fn resolve(&self) -> Result<(i64, i64), ApiError> {
        let limit = page_limit(self.limit)?;
        let after = match &self.cursor {
            None => 0,
            Some(c) => decode_cursor(c)
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor from this API"))?,
        };
        Ok((limit, after))
    }
}

impl PageQuery {
    /// For newest-first lists: the page size and the id to continue below.
    pub fn resolve_before(&self) -> Result<(i64, i64), ApiError> {
        let (limit, after) = self.resolve()?;
        Ok((
            limit,
            if self.cursor.is_some() {
                after
            } else {
                i64::MAX
            },
        ))
    }
}

/// A list's `?limit=`: 1 to 100, default 25.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(25);
    if (1..=100).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid("limit", "must be between 1 and 100"))
    }
}

pub fn encode_cursor(after: i64) -> String {
    encode_key("after", &[after])
}

fn decode_cursor(c: &str) -> Option<i64> {
    decode_key::<1>("after", c).map(|[after]| after)
}

/// An opaque cursor of a keyset position: `tag` and numbers, base64 so clients don't parse it.
pub fn encode_key(tag: &str, parts: &[i64]) -> String {
    let parts: Vec<String> = parts.iter().map(i64::to_string).collect();
    URL_SAFE_NO_PAD.encode(format!("{tag}:{}", parts.join(":")))
}

/// The `N` numbers of a cursor made by [`encode_key`] with `tag`; `None` for anything else.
pub fn decode_key<const N: usize>(tag: &str, raw: &str) -> Option<[i64; N]> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    let rest = text.strip_prefix(tag)?.strip_prefix(':')?;
    let parts: Vec<i64> = rest
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    parts.try_into().ok()
}

/// `{items, next_cursor}` of every list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Paged<T> {
    pub fn new(items: Vec<T>, next_after: Option<i64>) -> Self {
        Paged {
            items,
            next_cursor: next_after.map(encode_cursor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[allow(dead_code)] // fields exist to be checked, not read
    struct Sample {
        #[validate(length(min = 2, message = "must be at least 2 characters"))]
        name: String,
        #[validate(email(message = "must be an e-mail address"))]
        email: String,
        age: Option<i64>,
        #[schema(inline)]
        kind: Option<Kind>,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Small,
        Large,
    }

    fn fields(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Invalid(f) => f
                .into_iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn every_shape_error_is_named() {
        let e = parse_checked::<Sample>(
            br#"{"email": 5, "age": "old", "kind": "huge", "tags": [1, "a"]}"#,
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            [
                "name: is required",
                "age: must be an integer",
                "email: must be a string",
                "kind: must be one of \"small\", \"large\"",
                "tags[0]: must be a string"
            ]
        );
    }

    #[test]
    fn shape_and_value_errors_come_together() {
        let e = parse_checked::<Sample>(br#"{"email": "nope", "age": "old"}"#).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "name: is required",
                "age: must be an integer",
                "email: must be an e-mail address"
            ]
        );
    }

    #[test]
    fn value_rules_are_checked_after_shape() {
        let e = parse_checked::<Sample>(br#"{"name": "a", "email": "nope"}"#).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "email: must be an e-mail address",
                "name: must be at least 2 characters"
            ]
        );
    }

    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[allow(dead_code)]
    struct Outer {
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Inner {
        count: i64,
        kind: Kind,
    }

    #[test]
    fn referenced_schemas_are_checked_too() {
        let e =
            parse_checked::<Outer>(br#"{"inner": {"count": "many", "kind": "huge"}}"#).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "inner.count: must be an integer",
                "inner.kind: must be one of \"small\", \"large\""
            ]
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_checked::<Sample>(b"{nope"),
            Err(ApiError::BadRequest(_))
        ));
        let e = parse_checked::<Sample>(b"[1]").unwrap_err();
        assert_eq!(fields(e), ["body: must be an object"]);
    }

    #[test]
    fn a_good_body_parses() {
        let s = parse_checked::<Sample>(
            br#"{"name": "Ana", "email": "a@b.co", "kind": "large", "age": null}"#,
        )
        .unwrap();
        assert_eq!(s.name, "Ana");
        assert!(matches!(s.kind, Some(Kind::Large)));
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let q = PageQuery {
            limit: Some(10),
            cursor: Some(encode_cursor(42)),
        };
        assert_eq!(q.resolve().unwrap(), (10, 42));
        let bad = PageQuery {
            limit: Some(0),
            cursor: None,
        };
        assert!(bad.resolve().is_err());
        let garbage = PageQuery {
            limit: None,
            cursor: Some("zzz".into()),
        };
        assert!(garbage.resolve().is_err());
    }
}
