//! The `"locations"` array: where V8 says each function (closure node) was defined.
//!
//! `snapshot.meta.location_fields` names the record's fields (V8: `object_index`, `script_id`,
//! `line`, `column`; lines and columns 0-based). Records are read by field name like nodes and
//! edges; a snapshot without `location_fields` (older V8, hand-written files) has its
//! `"locations"` value skipped. Locations are extra information that no count depends on, so a
//! record that does not name a node (an `object_index` that is not a node offset, or past the
//! last node: dropped by `validate`) or a value over 32 bits drops that record instead of
//! failing a snapshot that is otherwise fine; malformed JSON is still an error.

use super::meta::Layout;
use super::numbers::IntSink;
use crate::snapshot::SourceLocation;

pub(crate) struct LocationSink {
    fields: usize,
    /// Positions of object_index, script_id, line, column in a record.
    pos: [usize; 4],
    node_fields: u64,
    pub locations: Vec<SourceLocation>,
    pub values: u64,
}

impl LocationSink {
    /// `None` when the header does not describe location records (the caller skips the value).
    pub fn new(layout: &Layout) -> Option<LocationSink> {
        let f = &layout.location_fields;
        let at = |name: &str| f.iter().position(|x| x == name);
        let pos = [at("object_index")?, at("script_id")?, at("line")?, at("column")?];
        if f.len() > super::numbers::MAX_FIELDS {
            return None;
        }
        Some(LocationSink {
            fields: f.len(),
            pos,
            node_fields: layout.node_fields().max(1) as u64,
            locations: Vec::new(),
            values: 0,
        })
    }
}

impl IntSink for LocationSink {
    fn fields(&self) -> usize {
        self.fields
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        let [o, s, l, c] = self.pos;
        let object = rec[o];
        let u32_of = |v: u64| u32::try_from(v).ok();
        let parsed = (object % self.node_fields == 0).then_some(()).and_then(|()| {
            Some(SourceLocation {
                node: u32_of(object / self.node_fields)?,
                script_id: u32_of(rec[s])?,
                line: u32_of(rec[l])?,
                column: u32_of(rec[c])?,
            })
        });
        if let Some(loc) = parsed {
            self.locations.push(loc);
        }
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}
