//! `BehindMainline`: head ships a package at a lower version than mainline has
//! (`BehindMainline.Version`), or requires a dependency at a lower floor than mainline does
//! (`BehindMainline.Dependency`).
//!
//! May depend on: `parse::packages`, `finding`.
use super::requirements::req_floor;
use crate::finding::Finding;
use crate::parse::packages::model::{Ecosystem, PackageTree};
use crate::rules::catalog;

pub(super) fn check(head: &PackageTree, mainline: &PackageTree, out: &mut Vec<Finding>) {
    for (key, p) in &head.packages {
        let Some(m) = mainline.packages.get(key) else { continue };
        if let (Some(hv), Some(mv)) = (p.semver(), m.semver())
            && hv < mv
        {
            out.push(
                Finding::new(
                    "BehindMainline.Version",
                    catalog::severity("BehindMainline.Version"),
                    &p.name,
                    format!("{} is {hv} at head but {mv} on mainline: ship mainline's version or newer so users do not go back", p.name),
                )
                .at(&p.manifest_path, p.version_line)
                .with_change_between(("mainline", mv.to_string()), ("head", hv.to_string())),
            );
        }
        // npm `workspace:` requirements follow the in-repo version, which is compared above.
        for d in p.deps.iter().filter(|d| d.kind.ships() && !(d.workspace && p.ecosystem == Ecosystem::Npm)) {
            // The same declaration on mainline: same key (so `http = "0.2"` is never compared
            // with `http-1x = { package = "http", version = "1" }`), package, table and target.
            let Some(md) = m
                .deps
                .iter()
                .find(|md| md.key == d.key && md.name == d.name && md.kind == d.kind && md.target == d.target)
            else {
                continue;
            };
            let hv = crate::parse::packages::model::internal_target(head, p, d).and_then(|t| t.version.as_deref());
            let mv = crate::parse::packages::model::internal_target(mainline, m, md).and_then(|t| t.version.as_deref());
            if let (Some(hf), Some(mf)) = (req_floor(p.ecosystem, &d.req, hv), req_floor(p.ecosystem, &md.req, mv))
                && hf < mf
            {
                out.push(
                    Finding::new(
                        "BehindMainline.Dependency",
                        catalog::severity("BehindMainline.Dependency"),
                        &p.name,
                        format!(
                            "{} requires {} {} at head but {} on mainline: take mainline's requirement",
                            p.name, d.name, d.req, md.req
                        ),
                    )
                    .keyed(&d.name)
                    .at(&p.manifest_path, d.line)
                    .with_change(md.req.clone(), d.req.clone()),
                );
            }
        }
    }
}
