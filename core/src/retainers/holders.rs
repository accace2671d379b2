//! Holders first: the grown or leaked objects grouped by the object that holds them.
//!
//! The *holder* of a gained object is the nearest object above it on its retainer path that
//! already existed before (so its own contents grew) and that user code can name: an object or
//! native object (a `Map`, `Set`, array, plain object used as a bag, a listener array), a closure
//! or a closure context (`system / Context`). V8's internal pieces in between (a Map's backing
//! table, an array's elements store) are looked through, so `(global) leakyCache -> Map table ->
//! [k17] -> LeakingClass` is held by the Map, and a linked queue's new links by the old tail.
//! Objects with no such holder below a GC root are held by that root (`(Global handles)`, ...).
//!
//! Holders are ranked by the retained size they gained; each reads in one line:
//! `cachedItems (leaky-app.js:11:68) Array +1000 Object, +63.3 kb`, the location being that of
//! the nearest closure on the holder's path (the code whose variable it is).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::class::{class_of, is_internal_class, Scheme};
use crate::size::nice_size;
use crate::snapshot::{HeapSnapshot, NodeType};

use super::analysis::SnapshotAnalysis;
use super::dominators::NONE;
use super::paths::RetainerPath;

/// Gained objects of one class under a holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ClassCount {
    pub class: String,
    pub count: u64,
    pub retained_size: u64,
}

/// One holder and what it gained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Holder {
    /// The report's line: `name (file:line:col) Class +count TopClass, +size`.
    pub headline: String,
    /// The variable, property or key it is reached by (`leakyCache`, `cachedItems`, `[3]`).
    pub name: String,
    /// Its class (DevTools scheme: `Map`, `Array`, `system / Context`, ...).
    pub class: String,
    /// `file:line:col` of the nearest closure on its path (whose variable it is), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub node_id: u32,
    /// From a GC root to the holder.
    pub path: RetainerPath,
    /// Gained objects under it (those no other gained object holds).
    pub gained_objects: u64,
    /// Their retained size: what the holder grew by.
    pub gained_retained_size: u64,
    /// The holder's own retained size now.
    pub retained_size: u64,
    /// The gained objects by class, user classes first, then by retained size (at most 5).
    pub classes: Vec<ClassCount>,
    /// A path past the holder to its largest gained object of a user class.
    pub example: RetainerPath,
}

/// Most classes listed per holder.
const CLASSES_PER_HOLDER: usize = 5;

/// Groups `gained` (nodes no other gained node dominates) by holder, largest gained retained size
/// first, at most `max` (0: all). `existed(n)`: node `n` was there before the growth.
pub fn holders(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    gained: &[u32],
    existed: impl Fn(usize) -> bool,
    max: usize,
) -> Vec<Holder> {
    if gained.is_empty() {
        return Vec::new();
    }
    let qualifies = |p: usize| {
        p != 0
            && existed(p)
            && match snap.node_kind(p) {
                NodeType::Object | NodeType::Native => {
                    let name = snap.node_name_str(p);
                    !name.starts_with("system / ") || name == "system / Context"
                }
                NodeType::Hidden => snap.node_name_str(p) == "system / Context",
                NodeType::Closure | NodeType::Synthetic => true,
                _ => false,
            }
    };
    let mut memo: HashMap<u32, u32> = HashMap::new();
    let mut chain: Vec<u32> = Vec::new();
    let mut by_holder: HashMap<u32, Vec<u32>> = HashMap::new();
    for &v in gained {
        chain.clear();
        let mut x = v;
        let h = loop {
            if let Some(&h) = memo.get(&x) {
                break h;
            }
            chain.push(x);
            match a.paths.parent(x) {
                None => break NONE,
                Some(p) if qualifies(p as usize) => break p,
                Some(p) => x = p,
            }
        };
        for &c in &chain {
            memo.insert(c, h);
        }
        if h != NONE {
            by_holder.entry(h).or_default().push(v);
        }
    }
    let mut ranked: Vec<(u32, Vec<u32>, u64)> = by_holder
        .into_iter()
        .map(|(h, members)| {
            let size = members.iter().map(|&m| a.retained[m as usize]).sum();
            (h, members, size)
        })
        .collect();
    // Objects of no size (read-only space strings a root group lists) explain no growth.
    ranked.retain(|x| x.2 > 0);
    ranked.sort_by(|x, y| y.2.cmp(&x.2).then(y.1.len().cmp(&x.1.len())).then(x.0.cmp(&y.0)));
    if max > 0 {
        ranked.truncate(max);
    }
    ranked.into_iter().filter_map(|(h, members, size)| describe(snap, a, h, &members, size)).collect()
}

fn describe(snap: &HeapSnapshot, a: &SnapshotAnalysis, h: u32, members: &[u32], size: u64) -> Option<Holder> {
    let path = a.paths.path_to(snap, h)?;
    let hn = h as usize;
    let mut class = class_of(snap, hn, Scheme::DevTools).unwrap_or("(unknown)").to_string();
    let mut name = match path.hops.last() {
        Some(hop) if hop.edge_type == "element" || hop.edge_type == "hidden" => format!("[{}]", hop.edge_name),
        Some(hop) if !hop.edge_name.is_empty() && !hop.edge_name.bytes().all(|b| b.is_ascii_digit()) => {
            truncate(&hop.edge_name, 60)
        }
        _ => match snap.node_name_str(hn) {
            "" => class.clone(),
            n => truncate(n, 60),
        },
    };
    let location = nearest_closure_location(snap, a, h);

    let mut per_class: HashMap<&str, (u64, u64)> = HashMap::new();
    for &m in members {
        let c = class_of(snap, m as usize, Scheme::DevTools).unwrap_or("(unknown)");
        let e = per_class.entry(c).or_default();
        e.0 += 1;
        e.1 += a.retained[m as usize];
    }
    let user = |c: &str| !is_internal_class(c) && !c.starts_with('(');
    let mut classes: Vec<ClassCount> = per_class
        .into_iter()
        .map(|(class, (count, retained_size))| ClassCount { class: class.to_string(), count, retained_size })
        .collect();
    classes.sort_by(|x, y| {
        user(&y.class)
            .cmp(&user(&x.class))
            .then(y.retained_size.cmp(&x.retained_size))
            .then(y.count.cmp(&x.count))
            .then_with(|| x.class.cmp(&y.class))
    });
    classes.truncate(CLASSES_PER_HOLDER);

    // The largest gained object of a user class (else the largest), for the example path.
    let pick = members
        .iter()
        .copied()
        .max_by_key(|&m| {
            let c = class_of(snap, m as usize, Scheme::DevTools).unwrap_or("(unknown)");
            (user(c), a.retained[m as usize], std::cmp::Reverse(m))
        })
        .unwrap_or(h);
    // A gained closure is code: continue to the largest object of a user class it keeps alive
    // (a listener's subscriber), so the example ends at what leaks.
    let pick = match class_of(snap, pick as usize, Scheme::DevTools) {
        Some("(closure)") => largest_user_object_under(snap, a, pick, &user).unwrap_or(pick),
        _ => pick,
    };
    let example = a.paths.path_to(snap, pick).unwrap_or_else(|| path.clone());
    // A global object or a closure context is a scope, not a bag: name the variable or property
    // the example goes through (`chainHead`, a module's `cache`) and its class.
    // (Hop lists keep their first 32 hops, so the hop past a short holder path is listed.)
    if is_scope(snap, hn) && path.hops.len() < 32 {
        let past = example.hops.get(path.hops.len());
        if let Some(hop) = past.filter(|x| x.edge_type == "property" || x.edge_type == "context") {
            name = truncate(&hop.edge_name, 60);
            class = class_of(snap, hop.node_index as usize, Scheme::DevTools).unwrap_or("(unknown)").to_string();
        }
    }

    let top = classes.first().map_or(String::new(), |c| format!(" +{} {}", c.count, c.class));
    let at = location.as_ref().map_or(String::new(), |l| format!(" ({l})"));
    let headline = format!("{name}{at} {class}{top}, +{}", nice_size(size as i64));
    Some(Holder {
        headline,
        name,
        class,
        location,
        node_id: snap.node_id[hn],
        path,
        gained_objects: members.len() as u64,
        gained_retained_size: size,
        retained_size: a.retained[hn],
        classes,
        example,
    })
}

/// The node of a user class with the largest retained size among those `top` dominates
/// (breadth-first over the dominator subtree, at most [`SUBTREE_LIMIT`] nodes).
fn largest_user_object_under(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    top: u32,
    user: &dyn Fn(&str) -> bool,
) -> Option<u32> {
    let mut inside: std::collections::HashSet<u32> = std::collections::HashSet::from([top]);
    let mut queue = std::collections::VecDeque::from([top]);
    let mut best: Option<(u64, u32)> = None;
    while let Some(x) = queue.pop_front() {
        for e in snap.edges_of(x as usize) {
            let y = snap.edge_to[e];
            if inside.len() >= SUBTREE_LIMIT || inside.contains(&y) || a.dominators.idom(y) != Some(x) {
                continue;
            }
            inside.insert(y);
            queue.push_back(y);
            if class_of(snap, y as usize, Scheme::DevTools).is_some_and(user) {
                let r = a.retained[y as usize];
                if best.is_none_or(|(br, _)| r > br) {
                    best = Some((r, y));
                }
            }
        }
    }
    best.map(|(_, y)| y)
}

/// Most nodes looked at below one gained object for [`largest_user_object_under`].
const SUBTREE_LIMIT: usize = 10_000;

/// A global object (reached by the root's shortcut) or a closure context.
fn is_scope(snap: &HeapSnapshot, n: usize) -> bool {
    snap.node_name_str(n) == "system / Context"
        || snap
            .edges_of(0)
            .any(|e| snap.edge_to[e] as usize == n && snap.edge_kind(e) == crate::snapshot::EdgeType::Shortcut)
}

/// The location of the holder itself when it is a closure, else of the nearest closure above
/// it; when no closure is on the path (a module's variables reached from the stack or a script
/// context), of the first function defined in the nearest scope (context) above it, which is in
/// the file that declares the variable.
fn nearest_closure_location(snap: &HeapSnapshot, a: &SnapshotAnalysis, h: u32) -> Option<String> {
    let mut x = Some(h);
    let mut scope: Option<usize> = None;
    while let Some(n) = x {
        let n = n as usize;
        if snap.node_kind(n) == NodeType::Closure {
            if let Some(l) = a.paths.sources().location(snap, n) {
                return Some(l);
            }
        }
        if scope.is_none() && snap.node_name_str(n) == "system / Context" {
            scope = Some(n);
        }
        x = a.paths.parent(n as u32);
    }
    let ctx = scope?;
    // Closures of that scope: their `context` edge points at it. First defined wins.
    let closure = snap
        .locations
        .iter()
        .filter(|l| {
            let c = l.node as usize;
            snap.node_kind(c) == NodeType::Closure
                && snap.edges_of(c).any(|e| {
                    snap.edge_to[e] as usize == ctx
                        && snap.edge_kind(e) == crate::snapshot::EdgeType::Internal
                        && snap.strings.get(snap.edge_name_or_index[e]) == "context"
                })
        })
        .min_by_key(|l| (l.line, l.column))?;
    a.paths.sources().location(snap, closure.node as usize)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
