//! Many model files, one model: what Smithy's `ModelAssembler` makes of a directory.
//!
//! Files merge in path order. A shape defined in several files with the same definition is one
//! shape (Smithy ignores the duplicate); with different definitions it is a conflict, a
//! [`Problem`] naming both files, and the first definition is kept (as Smithy keeps it). Metadata
//! merges as Smithy's `MetadataContainer` merges it: arrays concatenate, equal values are one
//! value, anything else conflicts. Then `apply` statements of every file apply to the merged
//! shapes, mixins resolve across files, the shapes of Smithy 1.0 files are upgraded to 2.0
//! ([`super::upgrade_v1`]), and copies of the bundled trait libraries fold into the library's
//! definitions ([`super::bundled::fold_copies`]).
//!
//! Relative shape ids in `.smithy` files are resolved before this step, against the other files
//! of the assembly (see [`super::idl::read`]); every shape keeps the file and line it is written
//! at, so findings point there whatever file the shape moved to.
//!
//! Invariant: never fails; what Smithy's loader would reject comes back as problems, with the
//! model built from everything else.
use super::node::Node;
use super::{Model, ModelFile, apply, bundled, drop_mistyped_traits, resolve_mixins, upgrade_v1};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Something Smithy's loader rejects about the files together: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Arc<str>,
    pub line: u32,
    pub message: String,
}

/// The assembled model and what was wrong with the files together.
#[derive(Debug, Clone, Default)]
pub struct Assembled {
    pub model: Model,
    pub problems: Vec<Problem>,
}

/// Assembles files into one model (see the module docs).
pub fn assemble(mut files: Vec<ModelFile>) -> Assembled {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut model = Model::default();
    let mut problems = Vec::new();
    let mut applies = Vec::new();
    let mut v1_files: HashSet<Arc<str>> = HashSet::new();
    for f in files {
        if f.model.version.starts_with('1') {
            v1_files.insert(f.path.clone());
        }
        if model.version.is_empty() || f.model.version.as_str() > model.version.as_str() {
            model.version.clone_from(&f.model.version);
        }
        let mut at = f.model.metadata_at;
        for (key, value) in f.model.metadata {
            let here = at.remove(&key).unwrap_or_else(|| (f.path.clone(), 1));
            match model.metadata.get_mut(&key) {
                None => {
                    model.metadata.insert(key.clone(), value);
                    model.metadata_at.insert(key, here);
                }
                Some(Node::Array(existing)) if matches!(value, Node::Array(_)) => {
                    let Node::Array(more) = value else { unreachable!("matched above") };
                    existing.extend(more);
                }
                Some(existing) if *existing == value => {}
                Some(_) => {
                    let (first, line) = &model.metadata_at[&key];
                    problems.push(Problem {
                        path: here.0,
                        line: here.1,
                        message: format!("metadata `{key}` conflicts with its value in {first} (line {line})"),
                    });
                }
            }
        }
        for (id, shape) in f.model.shapes {
            match model.shapes.get(&id) {
                None => {
                    model.shapes.insert(id, shape);
                }
                Some(first) if first.same_as(&shape) => {}
                Some(first) => problems.push(Problem {
                    path: shape.file.clone(),
                    line: shape.line,
                    message: format!(
                        "conflicting definitions of `{id}`: {}:{} and {}:{} define it differently",
                        first.file, first.line, shape.file, shape.line
                    ),
                }),
            }
        }
        applies.extend(f.applies.into_iter().map(|a| (f.path.clone(), a)));
    }
    // As for one file: `apply` to shapes as written, then mixins (so traits applied to a mixin
    // flow into the shapes that use it), then `apply` to members that only mixins create.
    let mut pending = Vec::new();
    for (path, a) in applies {
        if !apply(&mut model, &a.target, &a.traits) {
            pending.push((path, a));
        }
    }
    if let Err((id, message)) = resolve_mixins(&mut model) {
        let (path, line) = model.shapes.get(&id).map_or((Arc::from(""), 1), |s| (s.file.clone(), s.line));
        problems.push(Problem { path, line, message: message.replace("in this file", "in any model file") });
    }
    for (path, a) in pending {
        let root = a.target.split_once('$').map_or(a.target.as_str(), |(r, _)| r);
        if !apply(&mut model, &a.target, &a.traits) && bundled::shape(root).is_none() {
            problems.push(Problem {
                path,
                line: a.line,
                message: format!("`apply` targets `{}`, which no model file defines", a.target),
            });
        }
    }
    upgrade_v1(&mut model, |s| v1_files.contains(&s.file));
    drop_mistyped_traits(&mut model);
    bundled::fold_copies(&mut model);
    Assembled { model, problems }
}

/// Groups files into assemblies: files that define shapes in one namespace, or that point at a
/// namespace another file defines, are one group (transitively). `links[i]` is file `i`'s
/// (defined, referenced) namespaces; the groups are lists of indexes, each sorted, in the order of
/// their first file.
pub fn group(links: &[(BTreeSet<String>, BTreeSet<String>)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..links.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (defined, _)) in links.iter().enumerate() {
        for ns in defined {
            match owner.get(ns.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    owner.insert(ns, i);
                }
            }
        }
    }
    for (i, (_, referenced)) in links.iter().enumerate() {
        for ns in referenced {
            if let Some(&j) = owner.get(ns.as_str()) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..links.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::smithy::{idl, read_json};

    fn json(path: &str, text: &str) -> ModelFile {
        read_json(path, text.as_bytes()).expect("valid JSON AST")
    }

    #[test]
    fn files_group_by_namespace_and_reference() {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let links = vec![
            (set(&["a"]), set(&[])),
            (set(&["b"]), set(&["c"])),
            (set(&["a"]), set(&[])),
            (set(&["c"]), set(&[])),
            (set(&["d"]), set(&["nowhere"])),
        ];
        assert_eq!(group(&links), vec![vec![0, 2], vec![1, 3], vec![4]]);
    }

    #[test]
    fn shapes_merge_across_files_and_keep_their_file() {
        let a = json(
            "a.json",
            r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"structure","members":{"b":{"target":"ex#B"}}}}}"#,
        );
        let b = json("b.json", r#"{"smithy":"2.0","shapes":{"ex#B":{"type":"string"}}}"#);
        let out = assemble(vec![b, a]);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(&*out.model.shapes["ex#A"].file, "a.json");
        assert_eq!(&*out.model.shapes["ex#B"].file, "b.json");
    }

    #[test]
    fn a_conflicting_definition_names_both_files_and_an_equal_one_is_no_problem() {
        let a = json("a.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"string"}}}"#);
        let same = json("b.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"string"}}}"#);
        let other = json("c.json", r#"{"smithy":"2.0","shapes":{"ex#A":{"type":"integer"}}}"#);
        assert!(assemble(vec![a.clone(), same]).problems.is_empty());
        let out = assemble(vec![other, a]);
        assert_eq!(out.problems.len(), 1);
        let p = &out.problems[0];
        assert_eq!(&*p.path, "c.json");
        assert!(p.message.contains("a.json:1") && p.message.contains("c.json:1"), "{}", p.message);
        assert_eq!(out.model.shapes["ex#A"].kind, crate::parse::smithy::ShapeType::String, "the first file wins");
    }

    #[test]
    fn apply_and_mixins_cross_files_and_metadata_merges() {
        let a = idl::read(
            "a.smithy",
            b"$version: \"2\"\nmetadata tags = [\"a\"]\nnamespace ex\n@mixin\nstructure M { m: String }\n",
            &Model::default(),
        )
        .expect("valid IDL");
        let b = idl::read(
            "b.smithy",
            b"$version: \"2\"\nmetadata tags = [\"b\"]\nnamespace ex\nstructure S with [M] { s: String }\napply M$m @required\n",
            &a.model,
        )
        .expect("valid IDL");
        let out = assemble(vec![b, a]);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let s = &out.model.shapes["ex#S"];
        assert_eq!(s.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["m", "s"]);
        assert!(s.members[0].traits.has("smithy.api#required"), "applied in b.smithy to a.smithy's mixin");
        assert_eq!(
            out.model.metadata["tags"],
            Node::Array(vec![Node::String("a".into()), Node::String("b".into())]),
            "arrays concatenate in file order"
        );
    }

    #[test]
    fn apply_to_a_shape_no_file_defines_is_a_problem() {
        let a = idl::read("a.smithy", b"$version: \"2\"\nnamespace ex\napply Nope @required\n", &Model::default())
            .expect("valid IDL");
        let out = assemble(vec![a]);
        assert_eq!(out.problems.len(), 1);
        assert_eq!((&*out.problems[0].path, out.problems[0].line), ("a.smithy", 3));
    }
}
