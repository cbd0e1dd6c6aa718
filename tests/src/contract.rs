//! The committed `openapi.yaml` as the tests' oracle: every response a test receives from a route must be one
//! the description documents for that operation — its status, its content type, and a body valid against
//! the schema, with no field the schema does not name. So a response field cannot change without the
//! description (and the TypeScript client generated from it) changing too.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::Validator;
use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::TestResponse;

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let text = include_str!("../../openapi.yaml");
    let yaml = YamlLoader::load_from_str(text).expect("openapi.yaml is YAML");
    yaml_to_json(&yaml[0])
});

/// The document with every response object schema closed to fields it does not name.
static STRICT: LazyLock<Value> = LazyLock::new(|| {
    let mut document = DOCUMENT.clone();
    let composed = composed_schemas(&document);
    close_objects(&mut document, &composed, false);
    document
});

static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<Validator>>>> = LazyLock::new(Mutex::default);

/// The description of `method path_template` must document `response`.
#[track_caller]
pub fn check(method: &str, path_template: &str, response: &TestResponse) {
    let route = format!("{method} {path_template}");
    let operation = format!("/paths/{}/{}", escape(path_template), method.to_lowercase());
    assert!(
        DOCUMENT.pointer(&operation).is_some(),
        "openapi.yaml does not describe {route}"
    );
    let (pointer, documented) = resolve(&format!("{operation}/responses/{}", response.status))
        .unwrap_or_else(|| {
            panic!(
                "openapi.yaml documents no {} for {route}; body: {}",
                response.status, response.text
            )
        });
    for (header, _) in documented["headers"].as_object().into_iter().flatten() {
        assert!(
            response.header(header).is_some(),
            "{route} {}: the documented {header} header is missing",
            response.status
        );
    }
    let Some(content) = documented["content"].as_object() else {
        assert!(
            response.text.is_empty(),
            "{route} {}: documented without a body, sent {}",
            response.status,
            response.text
        );
        return;
    };
    let media_type = response
        .header("content-type")
        .and_then(|value| value.split(';').next())
        .unwrap_or("")
        .trim();
    assert!(
        content.contains_key(media_type),
        "{route} {}: content type {media_type:?} is not documented ({:?})",
        response.status,
        content.keys().collect::<Vec<_>>()
    );
    let schema = format!("{pointer}/content/{}/schema", escape(media_type));
    let errors: Vec<String> = validator(&schema)
        .iter_errors(&response.json)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{route} {}: the body does not match openapi.yaml:\n  {}\nbody: {}",
        response.status,
        errors.join("\n  "),
        response.text
    );
}

/// The response object at `pointer`, following a `$ref`, with the pointer it was found at.
fn resolve(pointer: &str) -> Option<(String, &'static Value)> {
    let node = DOCUMENT.pointer(pointer)?;
    match node["$ref"].as_str() {
        Some(reference) => {
            let target = reference.trim_start_matches('#');
            Some((target.to_owned(), DOCUMENT.pointer(target)?))
        }
        None => Some((pointer.to_owned(), node)),
    }
}

/// A validator for the schema at `pointer`: the strict document with the schema as its root `$ref`, so the
/// schema's own `$ref`s into `#/components` resolve.
fn validator(pointer: &str) -> Arc<Validator> {
    let mut validators = VALIDATORS.lock().unwrap_or_else(|e| e.into_inner());
    let validator = validators.entry(pointer.to_owned()).or_insert_with(|| {
        let target = STRICT
            .pointer(pointer)
            .unwrap_or_else(|| panic!("openapi.yaml has no schema at {pointer}"))
            .clone();
        let mut root = STRICT.clone();
        root["$defs"] = Value::Object(Map::from_iter([("target".to_owned(), target)]));
        root["$ref"] = Value::String("#/$defs/target".into());
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"));
        Arc::new(validator)
    });
    Arc::clone(validator)
}

/// Names of component schemas used as members of an `allOf` (they must stay open: the composition closes).
fn composed_schemas(document: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let schemas = document["components"]["schemas"].as_object();
    for schema in schemas.into_iter().flat_map(|s| s.values()) {
        for member in schema["allOf"].as_array().into_iter().flatten() {
            if let Some(reference) = member["$ref"].as_str() {
                names.push(
                    reference
                        .trim_start_matches("#/components/schemas/")
                        .to_owned(),
                );
            }
        }
    }
    names
}

/// Adds `unevaluatedProperties: false` to every object schema that lists its properties, to every `allOf`,
/// and beside every `$ref` to an open (composed) schema outside an `allOf`.
fn close_objects(node: &mut Value, composed: &[String], in_all_of: bool) {
    match node {
        Value::Object(map) => {
            let refers_to_open = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .is_some_and(|name| composed.iter().any(|c| c == name));
            let lists_properties = map.contains_key("properties") && !in_all_of;
            if (lists_properties || map.contains_key("allOf") || (refers_to_open && !in_all_of))
                && !map.contains_key("additionalProperties")
            {
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key == "allOf" {
                    for member in child.as_array_mut().into_iter().flatten() {
                        close_objects(member, composed, true);
                    }
                } else if key == "schemas" {
                    for (name, schema) in child.as_object_mut().into_iter().flatten() {
                        let open = composed.iter().any(|c| c == name);
                        close_objects(schema, composed, open);
                    }
                } else {
                    close_objects(child, composed, false);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                close_objects(item, composed, false);
            }
        }
        _ => {}
    }
}

/// A JSON pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn yaml_to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::Integer(n) => Value::from(*n),
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let key = match key {
                        Yaml::String(text) => text.clone(),
                        Yaml::Integer(n) => n.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => panic!("unsupported key in openapi.yaml: {other:?}"),
                    };
                    (key, yaml_to_json(value))
                })
                .collect(),
        ),
        Yaml::Null => Value::Null,
        other => panic!("unsupported YAML in openapi.yaml: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_schema_compiles_and_object_schemas_are_closed() {
        let paths = DOCUMENT["paths"].as_object().expect("paths");
        let mut checked = 0;
        for (path, operations) in paths {
            for (method, operation) in operations.as_object().expect("operations") {
                for status in operation["responses"]
                    .as_object()
                    .expect("responses")
                    .keys()
                {
                    let pointer = format!("/paths/{}/{method}/responses/{status}", escape(path));
                    let (pointer, response) = resolve(&pointer).expect("resolves");
                    for media_type in response["content"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|c| c.0)
                    {
                        validator(&format!("{pointer}/content/{}/schema", escape(media_type)));
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50, "{checked}");
        let problem =
            validator("/components/responses/NotFound/content/application~1problem+json/schema");
        let valid = serde_json::json!({"type": "about:blank", "title": "Not Found", "status": 404,
                                       "detail": "No such item.", "code": "not_found"});
        assert!(problem.is_valid(&valid));
        let mut extra = valid.clone();
        extra["sql"] = "SELECT".into();
        assert!(!problem.is_valid(&extra), "an undocumented field fails");
    }
}
