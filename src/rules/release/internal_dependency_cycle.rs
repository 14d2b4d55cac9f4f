//! `InternalDependencyCycle`: selected packages that depend on each other (shipped dependencies
//! only) in a cycle. Checked once per loaded tree, so its findings sit with the tree's
//! `problems`.
//!
//! May depend on: `parse::packages`, `finding`.
use crate::finding::Finding;
use crate::parse::packages::model::{Ecosystem, PackageTree, internal_name};
use crate::rules::catalog;
use std::collections::{BTreeMap, BTreeSet};

/// Adds the tree's dependency cycles to its `problems`, sorted as the tree keeps them.
pub fn check_tree(tree: &mut PackageTree) {
    tree.problems.extend(dependency_cycles(tree));
    crate::finding::sort_findings(&mut tree.problems);
}

/// `InternalDependencyCycle`: strongly connected components of size > 1 (or self-loops) in the
/// graph of shipped (non-dev) dependencies between selected packages. Dev-dependency cycles are
/// legal in both Cargo and npm and are not reported.
fn dependency_cycles(tree: &PackageTree) -> Vec<Finding> {
    let keys: Vec<&(Ecosystem, String)> = tree.packages.keys().collect();
    let index: BTreeMap<&(Ecosystem, String), usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let edges: Vec<Vec<usize>> = tree
        .packages
        .values()
        .map(|p| {
            let set: BTreeSet<usize> = p
                .deps
                .iter()
                .filter(|d| d.kind.ships())
                .filter_map(|d| internal_name(tree, p, d))
                .filter_map(|n| index.get(&(p.ecosystem, n)).copied())
                .collect();
            set.into_iter().collect()
        })
        .collect();
    let mut out = Vec::new();
    for comp in tarjan(&edges) {
        let self_loop = comp.len() == 1 && edges[comp[0]].contains(&comp[0]);
        if comp.len() < 2 && !self_loop {
            continue;
        }
        let mut names: Vec<&str> = comp.iter().map(|i| keys[*i].1.as_str()).collect();
        names.sort();
        let first =
            tree.packages.get(keys[*comp.iter().min().expect("component is not empty")]).expect("key from tree");
        let line = first.deps.iter().find(|d| d.kind.ships() && names.contains(&d.name.as_str())).and_then(|d| d.line);
        let msg = format!(
            "internal packages depend on each other in a cycle ({}); break it (move shared code into its own package or make one edge a dev-dependency)",
            names.join(", ")
        );
        out.push(
            Finding::new(
                "InternalDependencyCycle",
                catalog::severity("InternalDependencyCycle"),
                first.name.clone(),
                msg,
            )
            .keyed(&names.join(","))
            .at(first.manifest_path.clone(), line),
        );
    }
    out
}

/// Tarjan's strongly connected components, iterative (no recursion depth limit).
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comps = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(u, _)) = work.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comps.push(comp);
            }
        }
    }
    comps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles_only() {
        let comps = tarjan(&[vec![1], vec![2], vec![0], vec![]]);
        assert!(comps.iter().any(|c| c.len() == 3));
        assert!(comps.iter().any(|c| c == &vec![3]));
    }
}
