use super::parse;
use crate::parse::smithy::{ShapeType, SmithyError};

const MODEL: &str = r#"$version: "2.0"

metadata tags = ["a"]

namespace example.weather

use aws.auth#sigv4

/// Provides weather forecasts.
@sigv4(name: "weather")
service Weather {
    version: "2006-03-01"
    resources: [City]
    operations: [GetCurrentTime]
}

resource City {
    identifiers: { cityId: CityId }
    read: GetCity
}

@pattern("^[A-Za-z0-9 ]+$")
string CityId

@readonly
operation GetCity {
    input := for City {
        @required
        $cityId
    }
    output := {
        @required
        name: String = ""
        coordinates: CityCoordinates
    }
    errors: [NoSuchResource]
}

structure CityCoordinates {
    @required
    latitude: Float

    @required
    longitude: Float
}

@error("client")
structure NoSuchResource {
    @required
    resourceType: String
}

operation GetCurrentTime {
    output := {
        @required
        time: Timestamp
    }
}

enum Color {
    RED
    GREEN = "green"
}

apply CityId @documentation("""
    A city's id.
    """)
"#;

/// 1-based line of the first line of MODEL containing `needle`.
fn line_of(needle: &str) -> u32 {
    MODEL.lines().position(|l| l.contains(needle)).expect("in the model") as u32 + 1
}

#[test]
fn reads_a_whole_model_into_the_json_ast_model() {
    let m = parse("weather.smithy", MODEL.as_bytes()).expect("valid model");
    assert_eq!(m.version, "2.0");
    let service = m.shape("example.weather#Weather").expect("service");
    assert_eq!(service.kind, ShapeType::Service);
    assert_eq!(service.version.as_deref(), Some("2006-03-01"));
    assert_eq!(service.resources, ["example.weather#City"]);
    assert!(service.traits.has("aws.auth#sigv4"));
    assert_eq!(
        service.traits.get("smithy.api#documentation").and_then(|n| n.as_str()),
        Some("Provides weather forecasts.")
    );
    assert_eq!(service.line, line_of("service Weather"));
    let input = m.shape("example.weather#GetCityInput").expect("inline input");
    assert_eq!(input.members[0].target, "example.weather#CityId");
    assert!(input.traits.has("smithy.api#input"));
    let op = m.shape("example.weather#GetCity").expect("operation");
    assert_eq!(op.input, "example.weather#GetCityInput");
    assert_eq!(op.errors, ["example.weather#NoSuchResource"]);
    let output = m.shape("example.weather#GetCityOutput").expect("inline output");
    assert_eq!(output.members[0].target, "smithy.api#String");
    assert!(output.members[0].traits.has("smithy.api#default"));
    let color = m.shape("example.weather#Color").expect("enum");
    assert_eq!(color.members[1].traits.get("smithy.api#enumValue").and_then(|n| n.as_str()), Some("green"));
    assert_eq!(
        m.shape("example.weather#CityId")
            .and_then(|s| s.traits.get("smithy.api#documentation"))
            .and_then(|n| n.as_str()),
        Some("A city's id.\n")
    );
    assert_eq!(m.line_of("example.weather#CityCoordinates$longitude"), Some(line_of("longitude: Float")));
}

#[test]
fn errors_name_line_column_and_what_was_expected() {
    let err = parse("bad.smithy", b"namespace a.b\n\nstructure Foo {\n    bar String\n}\n").expect_err("invalid");
    let SmithyError::Idl { line, column, message, .. } = &err else { panic!("an IDL error: {err:?}") };
    assert_eq!((*line, *column), (4, 9));
    assert!(message.contains("Expected COLON(':') but found IDENTIFIER('String')"), "{message}");
}
