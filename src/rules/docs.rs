//! Renders the rule catalog for `shipgate rules` and `shipgate explain`.
use super::catalog::{self, RuleMeta};
use std::fmt::Write;

pub fn table() -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.force_no_tty();
    t.set_width(120).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(vec!["rule", "category", "default", "title"]);
    for r in catalog::all() {
        t.add_row(vec![
            r.id.clone(),
            format!("{:?}", r.category).to_lowercase(),
            r.severity.to_string(),
            r.title.clone(),
        ]);
    }
    format!("{t}\n{} rules. `shipgate explain RULE` shows one in full.\n", catalog::all().len())
}

pub fn json() -> String {
    let mut s = serde_json::to_string_pretty(&serde_json::json!({
        "schema_version": 1,
        "rules_digest": catalog::digest(),
        "rules": catalog::all(),
    }))
    .expect("rule metadata is plain data");
    s.push('\n');
    s
}

pub fn explain(r: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}\n", r.id, r.title);
    let _ =
        writeln!(s, "Default severity: {}    Category: {}\n", r.severity, format!("{:?}", r.category).to_lowercase());
    for (head, body) in
        [("What it finds", &r.summary), ("Why it matters", &r.why), ("Example", &r.example), ("How to fix", &r.fix)]
    {
        let _ = writeln!(s, "## {head}\n\n{}\n", body.trim_end());
    }
    if !r.ids.is_empty() {
        let _ = writeln!(s, "## Event ids\n");
        for form in &r.ids {
            let _ = writeln!(s, "- `{form}`");
        }
        let _ = writeln!(s);
    }
    if !r.events.is_empty() {
        let _ = writeln!(s, "## Severity per event id\n\nOther ids take the default severity.\n");
        for (form, e) in &r.events {
            let mut line = format!("- `{form}`: {}", e.severity);
            for (case, severity) in &e.cases {
                let _ = write!(line, "; {case}: {severity}");
            }
            if e.varies_with_model {
                line.push_str(" (the model can set another)");
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }
    if let Some(reference) = &r.reference {
        let _ = writeln!(s, "Reference: {reference}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_lists_the_severity_of_each_event_the_file_declares() {
        let text = explain(catalog::get("ChangedDefault").expect("a rule"));
        assert!(text.contains("## Severity per event id"), "{text}");
        assert!(text.contains("- `ChangedDefault`: error; member-value: danger"), "{text}");
        let text = explain(catalog::get("ModifiedTrait").expect("a rule"));
        assert!(
            text.contains(
                "- `ModifiedTrait.Add.<trait shape id>`: note; unknown-trait: warning (the model can set another)"
            ),
            "{text}"
        );
        assert!(!explain(catalog::get("AddedShape").expect("a rule")).contains("Severity per event"));
    }
}
